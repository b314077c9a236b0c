import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Brackets } from 'typeorm';
import { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page, PageQuery } from '../../../../api/http/pagination';
import { Db } from '../../../../database/db';
import { IdentityAudit } from '../staff/identity-audit';
import { fieldError } from '../staff/staff.service';
import { scopeCondition } from '../staff/unit-scope';
import { ApiKey } from './api-key.entity';
import { ApiKeyCreatedDto, ApiKeyDto, CreateApiKeyDto } from './dto/clients.dto';
import { randomToken, requireGrantable, sha256Hex } from './machine-scopes';

const MAX_LIFETIME_MS = 366 * 86_400_000;
const DEFAULT_LIFETIME_MS = 365 * 86_400_000;
const PUBLIC_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** API key list pages by id. */
export const API_KEY_CURSOR = cursorCodec<[string]>('api-keys', 'uuid');

/**
 * Integrator API keys: `owk_<publicId>_<secret>`, sent in the X-API-Key header. Only the SHA-256
 * of the whole key is stored; the key is returned once. A key is issued by a staff member, who
 * answers for it, and carries at most the scopes that person holds in the key's unit.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: Db,
    private readonly audit: IdentityAudit,
  ) {}

  async create(ctx: RequestContext, dto: CreateApiKeyDto): Promise<ApiKeyCreatedDto> {
    if (ctx.actor.kind !== 'staff' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
    const owner = ctx.actor.id;
    const expiresAt = dto.expiresAt ? new Date(dto.expiresAt) : new Date(Date.now() + DEFAULT_LIFETIME_MS);
    if (expiresAt.getTime() <= Date.now() || expiresAt.getTime() > Date.now() + MAX_LIFETIME_MS) {
      throw fieldError('/expiresAt', 'range', 'expiresAt must be in the future and at most 366 days ahead');
    }
    return this.db.transaction(async () => {
      const organisationId = dto.organisationId ?? null;
      await requireGrantable(this.db, ctx, Permission.ApiKeyManage, organisationId, dto.scopes);
      const publicId = await this.freePublicId();
      const key = `owk_${publicId}_${randomToken(32)}`;
      const row = await this.db.repo(ApiKey).save(
        this.db.repo(ApiKey).create({
          publicId,
          keyHash: sha256Hex(key),
          name: dto.name,
          organisationId,
          ownerAccountId: owner,
          scopes: dto.scopes,
          expiresAt,
          revokedAt: null,
          lastUsedAt: null,
        }),
      );
      await this.audit.record(ctx, 'apikey.create', 'api_key', row.id);
      return { ...toApiKeyDto(row), key };
    });
  }

  /** Keys of units within the caller's scope, and the caller's own keys. */
  async list(ctx: RequestContext, q: PageQuery): Promise<Page<ApiKeyDto>> {
    const qb = this.db.repo(ApiKey).createQueryBuilder('k');
    const scope = scopeCondition(ctx, [Permission.ApiKeyManage], 'k.organisation_id');
    if (scope) {
      qb.where(
        new Brackets((w) =>
          w.where(scope.sql, scope.params).orWhere('k.owner_account_id = :me', { me: ctx.actor.id ?? null }),
        ),
      );
    }
    const page = await keysetPage(qb, q, {
      cursor: API_KEY_CURSOR,
      idColumn: 'k.id',
      direction: 'DESC',
      keyOf: (k) => [k.id],
    });
    return { items: page.items.map(toApiKeyDto), nextCursor: page.nextCursor, count: page.count };
  }

  async revoke(ctx: RequestContext, id: string): Promise<ApiKeyDto> {
    return this.db.transaction(async () => {
      const qb = this.db.repo(ApiKey).createQueryBuilder('k').where('k.id = :id', { id });
      const scope = scopeCondition(ctx, [Permission.ApiKeyManage], 'k.organisation_id');
      if (scope) {
        qb.andWhere(
          new Brackets((w) =>
            w
              .where(scope.sql, scope.params)
              .orWhere('k.owner_account_id = :me', { me: ctx.actor.id ?? null }),
          ),
        );
      }
      const key = await qb.setLock('pessimistic_write').getOne();
      if (!key) throw notFound('api key');
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        await this.db.repo(ApiKey).save(key);
        await this.audit.record(ctx, 'apikey.revoke', 'api_key', key.id);
      }
      return toApiKeyDto(key);
    });
  }

  private async freePublicId(): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = [...randomBytes(8)].map((b) => PUBLIC_ID_ALPHABET[b % PUBLIC_ID_ALPHABET.length]).join('');
      if (!(await this.db.repo(ApiKey).exists({ where: { publicId: id } }))) return id;
    }
    throw new DomainError(ErrorCode.Conflict, { reason: 'could not allocate a key id; retry' });
  }
}

export function toApiKeyDto(k: ApiKey): ApiKeyDto {
  return {
    id: k.id,
    prefix: `owk_${k.publicId}`,
    name: k.name,
    organisationId: k.organisationId,
    ownerAccountId: k.ownerAccountId,
    scopes: k.scopes,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
  };
}
