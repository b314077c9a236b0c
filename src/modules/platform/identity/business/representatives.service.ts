import { Injectable, Optional } from '@nestjs/common';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { AuditService } from '../../audit/audit.service';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { contactOf } from '../auth/contact';
import { maskEmail, maskName, maskPhone } from '../personal-data/masking';
import { BusinessRepresentative, RepresentativeScope } from './business-representative.entity';
import {
  BusinessRepresentativeDto,
  CreateRepresentativeDto,
  RepresentationStatus,
} from './dto/representatives.dto';

/** Lists are short by nature (a business names a handful of people); this bounds the read. */
const MAX_LISTED = 200;
/** a clock a little behind ours must still be able to say "from now" */
const CLOCK_SKEW_MS = 60_000;

interface Row {
  id: string;
  scope: RepresentativeScope;
  valid_from: Date;
  valid_until: Date;
  revoked_at: Date | null;
  created_at: Date;
  b_id: string;
  b_display_name: string | null;
  b_uscc: string | null;
  r_id: string;
  r_display_name: string | null;
  r_real_name: string | null;
  r_phone: string | null;
  r_email: string | null;
}

const SELECT = `
SELECT br.id, br.scope, br.valid_from, br.valid_until, br.revoked_at, br.created_at,
       b.id AS b_id, b.display_name AS b_display_name, b.unified_social_credit_code AS b_uscc,
       r.id AS r_id, r.display_name AS r_display_name, r.real_name AS r_real_name, r.phone AS r_phone, r.email AS r_email
FROM business_representative br
JOIN account b ON b.id = br.business_account_id
JOIN account r ON r.id = br.representative_account_id`;

/**
 * 授权经办人: business accounts authorise citizens to act for them. The business manages its
 * authorisations; a citizen sees the businesses they may act for. Later modules (applications)
 * ask `mayActFor` before accepting an action "on behalf of" a business.
 */
@Injectable()
export class RepresentativesService {
  constructor(
    private readonly db: Db,
    @Optional() private readonly audit?: AuditService,
  ) {}

  async grant(ctx: RequestContext, dto: CreateRepresentativeDto): Promise<BusinessRepresentativeDto> {
    return this.db.transaction(async () => {
      // Who may ask comes first (403 before 400). The lock serialises grants by one business, so two
      // requests cannot both pass the duplicate check below.
      const business = await this.selfBusiness(ctx, true);
      const { validFrom, validUntil } = validWindow(dto);
      const contact = contactOf(dto);
      const person = await this.db
        .repo(Account)
        .findOne({ where: contact.field === 'phone' ? { phone: contact.value } : { email: contact.value } });
      // Only an active citizen account can be named; a business or staff account reads as "no such person".
      if (!person || person.kind !== AccountKind.Citizen || person.status !== AccountStatus.Active)
        throw notFound('account');
      const current = await this.db.query(
        `SELECT 1 FROM business_representative
         WHERE business_account_id = $1 AND representative_account_id = $2 AND revoked_at IS NULL AND valid_until > now()
         LIMIT 1`,
        [business.id, person.id],
      );
      if (current.length)
        throw new DomainError(ErrorCode.Conflict, {
          reason:
            ctx.language === 'en'
              ? 'this person is already authorised; revoke that authorisation first'
              : '此人已获授权，请先撤销原授权',
        });
      const row = await this.db.repo(BusinessRepresentative).save(
        this.db.repo(BusinessRepresentative).create({
          businessAccountId: business.id,
          representativeAccountId: person.id,
          scope: dto.scope,
          validFrom,
          validUntil,
          revokedAt: null,
        }),
      );
      await this.audit?.append(ctx, {
        action: 'business.representative.grant',
        resourceType: 'business_representative',
        resourceId: row.id,
        subjectId: person.id,
      });
      return this.one(row.id);
    });
  }

  /**
   * A business's authorisations, newest first, including ended ones (the record of who could act
   * when). Any other account has none.
   */
  async listForBusiness(ctx: RequestContext): Promise<BusinessRepresentativeDto[]> {
    const id = citizenSideId(ctx);
    const rows = await this.db.query<Row>(
      `${SELECT} WHERE br.business_account_id = $1 ORDER BY br.created_at DESC, br.id DESC LIMIT ${MAX_LISTED}`,
      [id],
    );
    return rows.map(toDto);
  }

  /** The businesses the caller may act for now or later: not revoked, not yet expired. */
  async listForRepresentative(ctx: RequestContext): Promise<BusinessRepresentativeDto[]> {
    const id = citizenSideId(ctx);
    const rows = await this.db.query<Row>(
      `${SELECT} WHERE br.representative_account_id = $1 AND br.revoked_at IS NULL AND br.valid_until > now()
       ORDER BY br.valid_from ASC, br.id ASC LIMIT ${MAX_LISTED}`,
      [id],
    );
    return rows.map(toDto);
  }

  /** Ends an authorisation at once; another business's authorisation is a 404. */
  async revoke(ctx: RequestContext, id: string): Promise<BusinessRepresentativeDto> {
    return this.db.transaction(async () => {
      const business = await this.selfBusiness(ctx, false);
      const row = await this.db
        .repo(BusinessRepresentative)
        .findOne({ where: { id, businessAccountId: business.id }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('authorisation');
      if (row.revokedAt)
        throw new DomainError(ErrorCode.InvalidState, {
          reason: ctx.language === 'en' ? 'the authorisation is already revoked' : '该授权已撤销',
        });
      row.revokedAt = new Date();
      await this.db.repo(BusinessRepresentative).save(row);
      await this.audit?.append(ctx, {
        action: 'business.representative.revoke',
        resourceType: 'business_representative',
        resourceId: row.id,
        subjectId: row.representativeAccountId,
      });
      return this.one(row.id);
    });
  }

  /** For later modules: may this account act for that business, in this scope, now? */
  async mayActFor(
    representativeAccountId: string,
    businessAccountId: string,
    scope: RepresentativeScope,
  ): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM business_representative
       WHERE business_account_id = $1 AND representative_account_id = $2 AND revoked_at IS NULL
         AND valid_from <= now() AND valid_until > now() AND (scope = $3 OR scope = 'all')
       LIMIT 1`,
      [businessAccountId, representativeAccountId, scope],
    );
    return rows.length > 0;
  }

  /** Only a business account with its credit code on file may authorise anyone (403 / 409 otherwise). */
  private async selfBusiness(ctx: RequestContext, lock: boolean): Promise<Account> {
    const id = citizenSideId(ctx);
    const qb = this.db.repo(Account).createQueryBuilder('a').where('a.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write');
    const account = await qb.getOne();
    if (!account) throw notFound('account');
    if (account.kind !== AccountKind.Business) throw new DomainError(ErrorCode.Forbidden);
    if (!account.unifiedSocialCreditCode)
      throw new DomainError(ErrorCode.InvalidState, {
        reason:
          ctx.language === 'en'
            ? 'record the unified social credit code in the profile first'
            : '请先在账号资料中填写统一社会信用代码',
      });
    return account;
  }

  private async one(id: string): Promise<BusinessRepresentativeDto> {
    const [row] = await this.db.query<Row>(`${SELECT} WHERE br.id = $1`, [id]);
    return toDto(row);
  }
}

/** validFrom (default now, not in the past) < validUntil ≤ one year from now; 400 naming the field otherwise. */
function validWindow(dto: CreateRepresentativeDto): { validFrom: Date; validUntil: Date } {
  const now = Date.now();
  const validFrom = dto.validFrom ? new Date(dto.validFrom) : new Date(now);
  const validUntil = new Date(dto.validUntil);
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + 1);
  const errors: FieldError[] = [];
  if (validFrom.getTime() < now - CLOCK_SKEW_MS)
    errors.push({ pointer: '/validFrom', code: 'notPast', message: 'validFrom must not be in the past' });
  if (validUntil <= validFrom)
    errors.push({ pointer: '/validUntil', code: 'isAfter', message: 'validUntil must be after validFrom' });
  else if (validUntil > latest)
    errors.push({
      pointer: '/validUntil',
      code: 'maxWindow',
      message: 'an authorisation lasts at most one year from today',
    });
  if (errors.length) throw new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);
  return { validFrom, validUntil };
}

/** Citizens and businesses both act as 'citizen' actors; staff and machines have no such side. */
function citizenSideId(ctx: RequestContext): string {
  if (ctx.actor.kind !== 'citizen' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
  return ctx.actor.id;
}

function statusOf(
  r: Pick<Row, 'valid_from' | 'valid_until' | 'revoked_at'>,
  now = Date.now(),
): RepresentationStatus {
  if (r.revoked_at) return 'revoked';
  if (new Date(r.valid_until).getTime() <= now) return 'expired';
  return new Date(r.valid_from).getTime() > now ? 'scheduled' : 'active';
}

function toDto(r: Row): BusinessRepresentativeDto {
  return {
    id: r.id,
    business: { id: r.b_id, displayName: r.b_display_name, unifiedSocialCreditCode: r.b_uscc },
    representative: {
      id: r.r_id,
      displayName: r.r_display_name,
      realName: r.r_real_name ? maskName(r.r_real_name) : null,
      phone: r.r_phone ? maskPhone(r.r_phone) : null,
      email: r.r_email ? maskEmail(r.r_email) : null,
    },
    scope: r.scope,
    validFrom: new Date(r.valid_from).toISOString(),
    validUntil: new Date(r.valid_until).toISOString(),
    revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    status: statusOf(r),
    createdAt: new Date(r.created_at).toISOString(),
  };
}
