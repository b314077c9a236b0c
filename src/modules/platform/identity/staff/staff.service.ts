import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { assertVersion } from '../../../../api/http/if-match';
import { cursorCodec, keysetPage, Page } from '../../../../api/http/pagination';
import { Db } from '../../../../database/db';
import { Organisation } from '../../organisations/organisation.entity';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { PasswordService } from '../auth/password.service';
import {
  AssignRoleDto,
  CreateStaffDto,
  RoleAssignmentDto,
  RoleDto,
  StaffDto,
  StaffProfileDto,
  StaffQueryDto,
  UpdateStaffDto,
} from './dto/staff.dto';
import { DelegationService } from './delegation.service';
import { RoleAssignment } from './role-assignment.entity';
import { ROLE_NAMES, RoleName, ROLES } from './role-catalogue';
import { IdentityAudit } from './identity-audit';
import { isInScope, scopeCondition } from './unit-scope';

/** Staff list pages by id. */
export const STAFF_CURSOR = cursorCodec<[string]>('staff', 'uuid');

/**
 * Staff accounts and their role assignments (I5). Every read and write is confined to the caller's
 * scope for the permission involved; a target outside it answers 404, as if it did not exist.
 */
@Injectable()
export class StaffService {
  constructor(
    private readonly db: Db,
    private readonly delegations: DelegationService,
    private readonly audit: IdentityAudit,
    private readonly passwords: PasswordService,
  ) {}

  roles(ctx: RequestContext): RoleDto[] {
    return ROLE_NAMES.map((n) => ({
      name: n,
      title: ROLES[n].title[ctx.language],
      permissions: [...ROLES[n].permissions],
    }));
  }

  async create(ctx: RequestContext, dto: CreateStaffDto): Promise<StaffDto> {
    // Hash before opening the transaction: argon2 takes tens of milliseconds and must not hold a connection.
    this.passwords.assertAcceptable(dto.password, '/password', [dto.username, dto.email, dto.phone]);
    const passwordHash = await this.passwords.hash(dto.password);
    return this.db.transaction(async () => {
      await this.requireUnit(ctx, Permission.StaffManage, dto.organisationId);
      if (await this.db.repo(Account).exists({ where: { username: dto.username } })) {
        throw new DomainError(ErrorCode.Conflict, { reason: `username ${dto.username} is taken` });
      }
      const account = this.db.repo(Account).create({
        kind: AccountKind.Staff,
        status: AccountStatus.Active,
        username: dto.username,
        displayName: dto.displayName,
        organisationId: dto.organisationId,
        email: dto.email?.toLowerCase() ?? null,
        phone: dto.phone ?? null,
        passwordHash,
      });
      await this.db.repo(Account).save(account);
      await this.audit.record(ctx, 'staff.create', 'account', account.id, account.id);
      return this.toDto(account, false, []);
    });
  }

  async list(ctx: RequestContext, q: StaffQueryDto): Promise<Page<StaffDto>> {
    const qb = this.db
      .repo(Account)
      .createQueryBuilder('a')
      .addSelect('a.totpSecretEnc')
      .where('a.kind = :kind', { kind: AccountKind.Staff });
    const scope = scopeCondition(ctx, [Permission.StaffManage, Permission.AccountRead], 'a.organisation_id');
    if (scope) qb.andWhere(scope.sql, scope.params);
    if (q.within) {
      qb.andWhere(
        'a.organisation_id IN (SELECT w.descendant_id FROM organisation_closure w WHERE w.ancestor_id = :within)',
        { within: q.within },
      );
    }
    if (q.q) {
      const like = `${q.q.replace(/[\\%_]/g, '\\$&')}%`;
      qb.andWhere(`(a.username LIKE :like ESCAPE '\\' OR a.display_name LIKE :like ESCAPE '\\')`, { like });
    }
    const page = await keysetPage(qb, q, { cursor: STAFF_CURSOR, idColumn: 'a.id', keyOf: (a) => [a.id] });
    const roles = await this.assignmentsOf(page.items.map((a) => a.id));
    return {
      items: page.items.map((a) => this.toDto(a, !!a.totpSecretEnc, roles.get(a.id) ?? [])),
      nextCursor: page.nextCursor,
      count: page.count,
    };
  }

  async get(ctx: RequestContext, id: string): Promise<StaffDto> {
    const account = await this.findStaff(id);
    if (!(await this.visible(ctx, account, [Permission.StaffManage, Permission.AccountRead])))
      throw notFound('account');
    return this.toDto(account, !!account.totpSecretEnc, (await this.assignmentsOf([id])).get(id) ?? []);
  }

  async me(ctx: RequestContext): Promise<StaffProfileDto> {
    const account = await this.findStaff(this.selfId(ctx));
    const roles = (await this.assignmentsOf([account.id])).get(account.id) ?? [];
    return {
      ...this.toDto(account, !!account.totpSecretEnc, roles),
      delegations: await this.delegations.listMine(ctx),
    };
  }

  async update(
    ctx: RequestContext,
    id: string,
    expectedVersion: number,
    dto: UpdateStaffDto,
  ): Promise<StaffDto> {
    return this.db.transaction(async () => {
      const account = await this.findStaff(id, true);
      if (!(await this.visible(ctx, account, [Permission.StaffManage]))) throw notFound('account');
      assertVersion(account, expectedVersion);
      if (dto.organisationId !== account.organisationId)
        await this.requireUnit(ctx, Permission.StaffManage, dto.organisationId);
      const disabling = dto.status === 'disabled' && account.status !== AccountStatus.Disabled;
      if (disabling && id === ctx.actor.id)
        throw new DomainError(ErrorCode.InvalidState, { reason: 'you cannot disable your own account' });
      Object.assign(account, {
        displayName: dto.displayName,
        organisationId: dto.organisationId,
        email: dto.email?.toLowerCase() ?? null,
        phone: dto.phone ?? null,
        status: dto.status === 'disabled' ? AccountStatus.Disabled : AccountStatus.Active,
      });
      // Disabling ends every session now, not when the access tokens expire.
      if (disabling) account.tokensValidAfter = new Date();
      await this.db.repo(Account).save(account);
      await this.audit.record(ctx, 'staff.update', 'account', id, id);
      return this.toDto(account, !!account.totpSecretEnc, (await this.assignmentsOf([id])).get(id) ?? []);
    });
  }

  /**
   * Grants a role in a unit. Both the staff member's home unit and the role's unit must be within
   * the caller's role:assign scope; 'admin' only by a caller who holds everything; nobody changes
   * their own roles (separation of duties).
   */
  async assignRole(ctx: RequestContext, accountId: string, dto: AssignRoleDto): Promise<RoleAssignmentDto> {
    const validFrom = dto.validFrom ? new Date(dto.validFrom) : null;
    const validUntil = dto.validUntil ? new Date(dto.validUntil) : null;
    if (validFrom && validUntil && validUntil <= validFrom) {
      throw fieldError('/validUntil', 'isAfter', 'validUntil must be after validFrom');
    }
    if (dto.role === RoleName.Admin) {
      if (ctx.scopeOf(Permission.RoleAssign) !== '*') throw new DomainError(ErrorCode.Forbidden);
    } else if (!dto.organisationId) {
      throw fieldError('/organisationId', 'isDefined', 'organisationId is required for this role');
    }
    return this.db.transaction(async () => {
      const account = await this.findStaff(accountId);
      if (!(await this.visible(ctx, account, [Permission.RoleAssign]))) throw notFound('account');
      if (dto.organisationId) await this.requireUnit(ctx, Permission.RoleAssign, dto.organisationId);
      if (accountId === ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
      const organisationId = dto.organisationId ?? null;
      const existing = organisationId
        ? await this.db.repo(RoleAssignment).exists({ where: { accountId, role: dto.role, organisationId } })
        : await this.hasGlobal(accountId, dto.role);
      if (existing) {
        throw new DomainError(ErrorCode.Conflict, { reason: `the account already holds ${dto.role} there` });
      }
      const assignment = await this.db.repo(RoleAssignment).save(
        this.db.repo(RoleAssignment).create({
          accountId,
          role: dto.role,
          organisationId,
          validFrom,
          validUntil,
          grantedBy: actorAccount(ctx),
        }),
      );
      await this.audit.record(ctx, 'role.assign', 'role_assignment', assignment.id, accountId);
      return toAssignmentDto(assignment);
    });
  }

  async revokeRole(ctx: RequestContext, accountId: string, assignmentId: string): Promise<void> {
    await this.db.transaction(async () => {
      const assignment = await this.db
        .repo(RoleAssignment)
        .findOne({ where: { id: assignmentId, accountId } });
      if (!assignment) throw notFound('role assignment');
      const inScope = assignment.organisationId
        ? await isInScope(this.db, ctx, Permission.RoleAssign, assignment.organisationId)
        : ctx.scopeOf(Permission.RoleAssign) === '*';
      if (!inScope) throw notFound('role assignment');
      if (accountId === ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
      await this.db.repo(RoleAssignment).delete({ id: assignmentId });
      await this.audit.record(ctx, 'role.revoke', 'role_assignment', assignmentId, accountId);
    });
  }

  /**
   * Removes a staff member's second factor (lost phone and recovery codes): the authenticator, an
   * enrolment in progress and the recovery codes. Nobody removes their own: a stolen session
   * must not be able to strip the factor that guards it. Until they enrol again, their roles that
   * need a second factor wait.
   */
  async resetTotp(ctx: RequestContext, id: string): Promise<void> {
    await this.db.transaction(async () => {
      const account = await this.findStaff(id, true);
      if (!(await this.visible(ctx, account, [Permission.StaffManage]))) throw notFound('account');
      if (id === ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
      await this.db.query(
        `UPDATE account SET totp_secret_enc = NULL, totp_pending_enc = NULL, totp_pending_at = NULL,
           totp_last_step = NULL, version = version + 1, updated_at = now() WHERE id = $1`,
        [id],
      );
      await this.db.query('DELETE FROM recovery_code WHERE account_id = $1', [id]);
      await this.audit.record(ctx, 'staff.totp.reset', 'account', id, id);
    });
  }

  private selfId(ctx: RequestContext): string {
    if (ctx.actor.kind !== 'staff' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
    return ctx.actor.id;
  }

  private async findStaff(id: string, lock = false): Promise<Account> {
    const qb = this.db
      .repo(Account)
      .createQueryBuilder('a')
      .addSelect('a.totpSecretEnc')
      .where('a.id = :id AND a.kind = :kind', { id, kind: AccountKind.Staff });
    if (lock) qb.setLock('pessimistic_write');
    const account = await qb.getOne();
    if (!account) throw notFound('account');
    return account;
  }

  private async visible(ctx: RequestContext, account: Account, permissions: Permission[]): Promise<boolean> {
    for (const p of permissions) if (await isInScope(this.db, ctx, p, account.organisationId)) return true;
    return false;
  }

  /** The unit exists and lies within the caller's scope for the permission; otherwise 404. */
  private async requireUnit(ctx: RequestContext, permission: Permission, unitId: string): Promise<void> {
    const exists = await this.db.repo(Organisation).exists({ where: { id: unitId } });
    if (!exists || !(await isInScope(this.db, ctx, permission, unitId))) throw notFound('organisation');
  }

  private async hasGlobal(accountId: string, role: string): Promise<boolean> {
    const rows = await this.db.query(
      'SELECT 1 FROM role_assignment WHERE account_id = $1 AND role = $2 AND organisation_id IS NULL',
      [accountId, role],
    );
    return rows.length > 0;
  }

  private async assignmentsOf(accountIds: string[]): Promise<Map<string, RoleAssignmentDto[]>> {
    const out = new Map<string, RoleAssignmentDto[]>();
    if (!accountIds.length) return out;
    const rows = await this.db
      .repo(RoleAssignment)
      .find({ where: { accountId: In(accountIds) }, order: { createdAt: 'ASC' } });
    for (const r of rows) {
      const list = out.get(r.accountId) ?? [];
      list.push(toAssignmentDto(r));
      out.set(r.accountId, list);
    }
    return out;
  }

  private toDto(a: Account, totpEnabled: boolean, roles: RoleAssignmentDto[]): StaffDto {
    return {
      id: a.id,
      username: a.username ?? '',
      displayName: a.displayName,
      organisationId: a.organisationId,
      email: a.email,
      phone: a.phone,
      status: a.status,
      totpEnabled,
      roles,
      version: a.version,
    };
  }
}

export function toAssignmentDto(r: RoleAssignment): RoleAssignmentDto {
  return {
    id: r.id,
    role: r.role as RoleName,
    organisationId: r.organisationId,
    validFrom: r.validFrom?.toISOString() ?? null,
    validUntil: r.validUntil?.toISOString() ?? null,
    grantedBy: r.grantedBy,
  };
}

export function fieldError(pointer: string, code: string, message: string): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [{ pointer, code, message }]);
}

/** The staff account behind the caller, for "granted by" columns (machines and the system have none). */
export function actorAccount(ctx: RequestContext): string | null {
  return ctx.actor.kind === 'staff' ? ctx.actor.id : null;
}
