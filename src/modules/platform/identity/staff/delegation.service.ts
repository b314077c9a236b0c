import { Injectable } from '@nestjs/common';
import { Brackets } from 'typeorm';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { CreateDelegationDto, DelegationDto } from './dto/staff.dto';
import { Delegation } from './delegation.entity';
import { IdentityAudit } from './identity-audit';
import { RoleName } from './role-catalogue';

export const MAX_DELEGATION_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * 代理 (I5): a staff member lends one role they hold to a colleague for a bounded window. The
 * PrincipalService resolves delegations at request time and records the delegator as onBehalfOf.
 */
@Injectable()
export class DelegationService {
  constructor(
    private readonly db: Db,
    private readonly audit: IdentityAudit,
  ) {}

  async create(ctx: RequestContext, dto: CreateDelegationDto): Promise<DelegationDto> {
    const me = selfId(ctx);
    const validFrom = new Date(dto.validFrom);
    const validUntil = new Date(dto.validUntil);
    const errors = [];
    if (validUntil <= validFrom)
      errors.push({ pointer: '/validUntil', code: 'isAfter', message: 'validUntil must be after validFrom' });
    else if (validUntil.getTime() - validFrom.getTime() > MAX_DELEGATION_DAYS * DAY_MS) {
      errors.push({
        pointer: '/validUntil',
        code: 'maxWindow',
        message: `a delegation lasts at most ${MAX_DELEGATION_DAYS} days`,
      });
    }
    if (validUntil.getTime() <= Date.now())
      errors.push({ pointer: '/validUntil', code: 'isFuture', message: 'validUntil must be in the future' });
    if (dto.toAccountId === me)
      errors.push({ pointer: '/toAccountId', code: 'notSelf', message: 'you cannot delegate to yourself' });
    if (errors.length) throw new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);
    // 'admin' is never lent: it is global, and its holders are few and named.
    if (dto.role === RoleName.Admin) throw new DomainError(ErrorCode.Forbidden);

    return this.db.transaction(async () => {
      const delegate = await this.db
        .repo(Account)
        .findOne({ where: { id: dto.toAccountId, kind: AccountKind.Staff } });
      if (!delegate || delegate.status !== AccountStatus.Active) throw notFound('account');
      // Only a role held directly (not itself delegated), at or above the unit, during the window.
      const held = await this.db.query(
        `SELECT 1 FROM role_assignment r
         WHERE r.account_id = $1 AND r.role = $2
           AND (r.valid_from IS NULL OR r.valid_from < $4) AND (r.valid_until IS NULL OR r.valid_until > $5)
           AND (r.organisation_id IS NULL OR EXISTS (
             SELECT 1 FROM organisation_closure c WHERE c.ancestor_id = r.organisation_id AND c.descendant_id = $3))
         LIMIT 1`,
        [me, dto.role, dto.organisationId, validUntil, validFrom],
      );
      if (!held.length) throw new DomainError(ErrorCode.Forbidden);
      const delegation = await this.db.repo(Delegation).save(
        this.db.repo(Delegation).create({
          fromAccountId: me,
          toAccountId: dto.toAccountId,
          role: dto.role,
          organisationId: dto.organisationId,
          validFrom,
          validUntil,
          reason: dto.reason,
          revokedAt: null,
        }),
      );
      await this.audit.record(ctx, 'delegation.create', 'delegation', delegation.id, dto.toAccountId);
      return toDelegationDto(delegation);
    });
  }

  /** Delegations the caller gave or received that are not revoked and not yet over. */
  async listMine(ctx: RequestContext): Promise<DelegationDto[]> {
    const me = selfId(ctx);
    const rows = await this.db
      .repo(Delegation)
      .createQueryBuilder('d')
      .where(
        new Brackets((w) =>
          w.where('d.from_account_id = :me', { me }).orWhere('d.to_account_id = :me', { me }),
        ),
      )
      .andWhere('d.revoked_at IS NULL AND d.valid_until > now()')
      .orderBy('d.valid_from', 'ASC')
      .limit(200)
      .getMany();
    return rows.map(toDelegationDto);
  }

  /** Either party may end a delegation early. */
  async revoke(ctx: RequestContext, id: string): Promise<DelegationDto> {
    const me = selfId(ctx);
    return this.db.transaction(async () => {
      const d = await this.db
        .repo(Delegation)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!d || (d.fromAccountId !== me && d.toAccountId !== me)) throw notFound('delegation');
      if (d.revokedAt)
        throw new DomainError(ErrorCode.InvalidState, { reason: 'the delegation is already revoked' });
      d.revokedAt = new Date();
      await this.db.repo(Delegation).save(d);
      await this.audit.record(ctx, 'delegation.revoke', 'delegation', d.id, d.toAccountId);
      return toDelegationDto(d);
    });
  }
}

function selfId(ctx: RequestContext): string {
  if (ctx.actor.kind !== 'staff' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
  return ctx.actor.id;
}

function toDelegationDto(d: Delegation): DelegationDto {
  return {
    id: d.id,
    fromAccountId: d.fromAccountId,
    toAccountId: d.toAccountId,
    role: d.role as RoleName,
    organisationId: d.organisationId,
    validFrom: d.validFrom.toISOString(),
    validUntil: d.validUntil.toISOString(),
    reason: d.reason,
    revokedAt: d.revokedAt?.toISOString() ?? null,
  };
}
