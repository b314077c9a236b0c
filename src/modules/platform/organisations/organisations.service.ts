import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { assertVersion } from '../../../api/http/if-match';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { cacheKey } from '../../../api/http/shared-read-cache';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import {
  CreateOrganisationDto,
  CreateRegionDto,
  OrganisationDto,
  OrganisationQueryDto,
  RegionDto,
  UpdateOrganisationDto,
} from './dto/organisation.dto';
import { DirectoryCache } from './directory-cache';
import { Organisation, OrganisationClosure, Region } from './organisation.entity';

/**
 * The code prefix shared by a region and everything below it. Division codes are segmented
 * 2+2+2 (province, city, district) and then 3+3 (street, community), so trailing zeros are cut
 * at segment boundaries only: street 110101001000 → 110101001, not 1101010010.
 */
export function regionPrefix(code: string): string {
  for (const len of [2, 4, 6, 9]) if (/^0*$/.test(code.slice(len))) return code.slice(0, len);
  return code;
}

/** Organisation directory pages by id. */
export const ORGANISATION_CURSOR = cursorCodec<[string]>('organisations', 'uuid');

@Injectable()
export class OrganisationsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly cache: DirectoryCache,
    private readonly access: AccessService,
  ) {}

  /**
   * The public directory: active units, filtered by region prefix, kind, parent or subtree;
   * served from the directory cache (directory-cache.ts).
   */
  list(ctx: RequestContext, q: OrganisationQueryDto): Promise<Page<OrganisationDto>> {
    return this.cache.get(cacheKey('list', ctx.language, q), () => this.loadList(ctx, q));
  }

  private async loadList(ctx: RequestContext, q: OrganisationQueryDto): Promise<Page<OrganisationDto>> {
    const qb = this.db.repo(Organisation).createQueryBuilder('o').where('o.active = true');
    if (q.region) qb.andWhere('o.region_code LIKE :region', { region: `${regionPrefix(q.region)}%` });
    if (q.kind) qb.andWhere('o.kind = :kind', { kind: q.kind });
    if (q.parentId) qb.andWhere('o.parent_id = :parentId', { parentId: q.parentId });
    if (q.within) {
      qb.andWhere(
        'o.id IN (SELECT c.descendant_id FROM organisation_closure c WHERE c.ancestor_id = :within)',
        { within: q.within },
      );
    }
    if (q.q)
      qb.andWhere(`(o.name LIKE :q ESCAPE '\\' OR o.name_en ILIKE :q ESCAPE '\\')`, {
        q: `%${q.q.replace(/[\\%_]/g, '\\$&')}%`,
      });
    const page = await keysetPage(qb, q, {
      cursor: ORGANISATION_CURSOR,
      idColumn: 'o.id',
      keyOf: (o) => [o.id],
    });
    return {
      items: page.items.map((o) => this.toDto(ctx, o)),
      nextCursor: page.nextCursor,
      count: page.count,
    };
  }

  async get(ctx: RequestContext, id: string): Promise<OrganisationDto> {
    return this.toDto(ctx, await this.find(id));
  }

  async create(ctx: RequestContext, dto: CreateOrganisationDto): Promise<OrganisationDto> {
    return this.changeDirectory(async () => {
      await this.requireRegion(dto.regionCode);
      await this.requireManageable(ctx, dto.parentId ?? null);
      const org = this.db.repo(Organisation).create({
        name: dto.name,
        nameEn: dto.nameEn ?? null,
        kind: dto.kind,
        regionCode: dto.regionCode,
        parentId: dto.parentId ?? null,
        uscc: dto.uscc ?? null,
        contacts: { ...(dto.contacts ?? {}) },
        active: true,
      });
      await this.db.repo(Organisation).save(org);
      await this.db.query(
        `INSERT INTO organisation_closure (ancestor_id, descendant_id, depth)
         SELECT ancestor_id, $1, depth + 1 FROM organisation_closure WHERE descendant_id = $2
         UNION ALL SELECT $1::uuid, $1::uuid, 0`,
        [org.id, org.parentId],
      );
      await this.audit.append(ctx, {
        action: 'organisation.create',
        resourceType: 'organisation',
        resourceId: org.id,
      });
      return this.toDto(ctx, org);
    });
  }

  async update(
    ctx: RequestContext,
    id: string,
    expectedVersion: number,
    dto: UpdateOrganisationDto,
  ): Promise<OrganisationDto> {
    return this.changeDirectory(async () => {
      const org = await this.find(id, true);
      await this.requireManageable(ctx, id, true);
      assertVersion(org, expectedVersion);
      await this.requireRegion(dto.regionCode);
      const newParent = dto.parentId ?? null;
      if (newParent !== org.parentId) await this.move(ctx, org, newParent);
      Object.assign(org, {
        name: dto.name,
        nameEn: dto.nameEn ?? null,
        kind: dto.kind,
        regionCode: dto.regionCode,
        parentId: newParent,
        uscc: dto.uscc ?? null,
        contacts: { ...(dto.contacts ?? {}) },
        active: dto.active,
      });
      await this.db.repo(Organisation).save(org);
      await this.audit.append(ctx, {
        action: 'organisation.update',
        resourceType: 'organisation',
        resourceId: org.id,
      });
      return this.toDto(ctx, org);
    });
  }

  /** A change to the directory, in one transaction that tells every instance's cache on commit. */
  private changeDirectory<T extends { id: string }>(change: () => Promise<T>): Promise<T> {
    return this.cache.changing(() =>
      this.db.transaction(async () => {
        const result = await change();
        await this.cache.notifyChanged(result.id);
        return result;
      }),
    );
  }

  /** Ids of the given units and every unit below them. */
  async subtreeIds(rootIds: Iterable<string>): Promise<string[]> {
    const roots = [...rootIds];
    if (!roots.length) return [];
    const rows = await this.db.query<{ id: string }>(
      'SELECT DISTINCT descendant_id AS id FROM organisation_closure WHERE ancestor_id = ANY($1::uuid[])',
      [roots],
    );
    return rows.map((r) => r.id);
  }

  /** A unit by id, or null (no access check: for modules that route work to a unit). */
  unit(id: string): Promise<Organisation | null> {
    return this.db.repo(Organisation).findOne({ where: { id } });
  }

  /** A region by code, or null. */
  region(code: string): Promise<Region | null> {
    return this.db.repo(Region).findOne({ where: { code } });
  }

  async listRegions(ctx: RequestContext, parentCode?: string): Promise<RegionDto[]> {
    const where = parentCode ? { parentCode } : {};
    const regions = await this.db.repo(Region).find({ where, order: { code: 'ASC' }, take: 500 });
    return regions.map((r) => ({
      code: r.code,
      name: ctx.language === 'en' && r.nameEn ? r.nameEn : r.name,
      level: r.level,
      parentCode: r.parentCode,
    }));
  }

  async createRegion(ctx: RequestContext, dto: CreateRegionDto): Promise<RegionDto> {
    if (ctx.scopeOf(Permission.OrganisationManage) !== '*') throw new DomainError(ErrorCode.Forbidden);
    return this.db.transaction(async () => {
      if (dto.parentCode) await this.requireRegion(dto.parentCode);
      if (await this.db.repo(Region).exists({ where: { code: dto.code } })) {
        throw new DomainError(ErrorCode.Conflict, { reason: `region ${dto.code} exists` });
      }
      const region = await this.db
        .repo(Region)
        .save({ ...dto, nameEn: dto.nameEn ?? null, parentCode: dto.parentCode ?? null });
      await this.audit.append(ctx, {
        action: 'region.create',
        resourceType: 'region',
        resourceId: region.code,
      });
      return { code: region.code, name: region.name, level: region.level, parentCode: region.parentCode };
    });
  }

  private async find(id: string, lock = false): Promise<Organisation> {
    const org = await this.db
      .repo(Organisation)
      .findOne({ where: { id }, lock: lock ? { mode: 'pessimistic_write' } : undefined });
    if (!org) throw notFound('organisation');
    return org;
  }

  private async requireRegion(code: string): Promise<void> {
    if (!(await this.db.repo(Region).exists({ where: { code } }))) {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/regionCode', code: 'unknownRegion', message: `unknown region ${code}` },
      ]);
    }
  }

  /**
   * Managing a unit needs OrganisationManage at or above it; top-level units need it everywhere.
   * Out-of-scope targets answer 404, as if they did not exist.
   */
  private async requireManageable(
    ctx: RequestContext,
    unitId: string | null,
    existing = false,
  ): Promise<void> {
    const scope = ctx.scopeOf(Permission.OrganisationManage);
    if (scope === '*') {
      if (unitId && !existing) await this.find(unitId);
      return;
    }
    if (!scope || !unitId) throw new DomainError(ErrorCode.Forbidden);
    await this.access.require(ctx, 'organisation', unitId, 'manage');
  }

  /** Re-parents a subtree in the closure table; refuses cycles. */
  private async move(ctx: RequestContext, org: Organisation, newParent: string | null): Promise<void> {
    await this.requireManageable(ctx, newParent);
    if (newParent && (await this.access.unitWithin(newParent, [org.id]))) {
      throw new DomainError(ErrorCode.InvalidState, { reason: 'a unit cannot move below itself' });
    }
    await this.db.query(
      `DELETE FROM organisation_closure
       WHERE descendant_id IN (SELECT descendant_id FROM organisation_closure WHERE ancestor_id = $1)
         AND ancestor_id NOT IN (SELECT descendant_id FROM organisation_closure WHERE ancestor_id = $1)`,
      [org.id],
    );
    if (newParent) {
      await this.db.query(
        `INSERT INTO organisation_closure (ancestor_id, descendant_id, depth)
         SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1
         FROM organisation_closure a, organisation_closure d
         WHERE a.descendant_id = $2 AND d.ancestor_id = $1`,
        [org.id, newParent],
      );
    }
  }

  private toDto(ctx: RequestContext, o: Organisation): OrganisationDto {
    return {
      id: o.id,
      name: ctx.language === 'en' && o.nameEn ? o.nameEn : o.name,
      kind: o.kind,
      regionCode: o.regionCode,
      parentId: o.parentId,
      uscc: o.uscc,
      contacts: o.contacts,
      active: o.active,
      version: o.version,
    };
  }
}

export { OrganisationClosure };
