import { Injectable, Optional } from '@nestjs/common';
import { Not } from 'typeorm';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { assertVersion } from '../../../../api/http/if-match';
import { Db } from '../../../../database/db';
import { AuditService } from '../../audit/audit.service';
import { Account, AccountKind } from '../account.entity';
import { IdentityAssurance } from '../identity-assurance';
import type { TokenPairDto } from '../auth/dto/auth.dto';
import { LoginThrottle, reauthKeys } from '../auth/login-throttle';
import { PasswordService } from '../auth/password.service';
import { RefreshTokensService } from '../auth/refresh-tokens.service';
import { maskEmail, maskName, maskNationalId, maskPhone } from '../personal-data/masking';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import { ChangePasswordDto, MeDto, UpdateProfileDto } from './dto/me.dto';

const fieldError = (pointer: string, code: string, message: string): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [{ pointer, code, message }]);

/** The signed-in account's own view and edits. Every query is keyed by the caller's id: there is no other account to reach. */
@Injectable()
export class MeService {
  constructor(
    private readonly db: Db,
    private readonly personalData: PersonalDataService,
    private readonly passwords: PasswordService,
    private readonly sessions: RefreshTokensService,
    private readonly throttle: LoginThrottle,
    @Optional() private readonly audit?: AuditService,
  ) {}

  async get(ctx: RequestContext): Promise<MeDto> {
    return toMeDto(await this.self(ctx));
  }

  /**
   * Display name, real name, national ID (validated GB 11643, stored encrypted with a blind index
   * for uniqueness: one ID, one account) and, for businesses, the credit code.
   */
  /** `expectedVersion`: from If-Match over REST (412 when stale); GraphQL updates without one. */
  async updateProfile(ctx: RequestContext, dto: UpdateProfileDto, expectedVersion?: number): Promise<MeDto> {
    return this.db.transaction(async () => {
      const account = await this.self(ctx, true);
      assertVersion(account, expectedVersion);
      this.lockedWhileVerified(account, dto);
      const changes: Partial<Account> = {};
      if (dto.displayName !== undefined) changes.displayName = dto.displayName;
      if (dto.realName !== undefined) changes.realName = dto.realName;
      if (dto.unifiedSocialCreditCode !== undefined) {
        if (account.kind !== AccountKind.Business)
          throw fieldError(
            '/unifiedSocialCreditCode',
            'businessOnly',
            'only business accounts have a unified social credit code',
          );
        const code = dto.unifiedSocialCreditCode;
        if (
          code &&
          (await this.db
            .repo(Account)
            .exists({ where: { unifiedSocialCreditCode: code, id: Not(account.id) } }))
        ) {
          throw conflict(
            ctx,
            '该统一社会信用代码已被其他账号使用',
            'this unified social credit code belongs to another account',
          );
        }
        changes.unifiedSocialCreditCode = code;
      }
      if (dto.nationalId === null)
        Object.assign(changes, {
          nationalIdEnc: null,
          nationalIdBidx: null,
          nationalIdLast4: null,
          nationalIdMasked: null,
        });
      if (dto.nationalId) {
        const bidx = this.personalData.blindIndex(PersonalField.NationalId, dto.nationalId);
        if (bidx !== account.nationalIdBidx) {
          if (await this.db.repo(Account).exists({ where: { nationalIdBidx: bidx, id: Not(account.id) } })) {
            throw conflict(
              ctx,
              '该身份证号码已被其他账号使用',
              'this national ID number belongs to another account',
            );
          }
          changes.nationalIdEnc = this.personalData.encrypt(PersonalField.NationalId, dto.nationalId);
          changes.nationalIdBidx = bidx;
          changes.nationalIdLast4 = dto.nationalId.slice(-4);
          changes.nationalIdMasked = maskNationalId(dto.nationalId);
        }
      }
      if (!Object.keys(changes).length) return toMeDto(account);
      await this.db.repo(Account).update({ id: account.id }, changes);
      await this.audit?.append(ctx, {
        action: 'account.profile.update',
        resourceType: 'account',
        resourceId: account.id,
        subjectId: account.id,
      });
      return toMeDto(await this.self(ctx));
    });
  }

  /**
   * Changes the password after checking the current one (guesses are throttled, see reauthKeys),
   * ends every session, and opens a fresh one for the caller so this device stays signed in.
   */
  async changePassword(ctx: RequestContext, dto: ChangePasswordDto): Promise<TokenPairDto> {
    const account = await this.self(ctx, false, true);
    const keys = reauthKeys(account.id);
    await this.throttle.take(keys);
    if (!(await this.passwords.verify(account.passwordHash, dto.currentPassword)))
      throw fieldError('/currentPassword', 'currentPasswordIncorrect', 'is not the current password');
    await this.throttle.succeeded(keys);
    this.passwords.assertAcceptable(dto.newPassword, '/newPassword', [account.phone, account.email]);
    if (await this.passwords.verify(account.passwordHash, dto.newPassword))
      throw fieldError('/newPassword', 'passwordReused', 'must differ from the current password');
    const passwordHash = await this.passwords.hash(dto.newPassword);
    return this.db.transaction(async () => {
      await this.db.repo(Account).update({ id: account.id }, { passwordHash, tokensValidAfter: new Date() });
      await this.sessions.revokeAll(account.id, 'password_change');
      const pair = await this.sessions.startSession(ctx, account);
      await this.audit?.append(ctx, {
        action: 'account.password.change',
        resourceType: 'account',
        resourceId: account.id,
        subjectId: account.id,
      });
      return pair;
    });
  }

  /**
   * A verified real name and ID number are the eID's or a counter clerk's word, not the holder's: a
   * profile update that changes either is refused (400 `identityVerified`); the same value is harmless.
   */
  private lockedWhileVerified(account: Account, dto: UpdateProfileDto): void {
    if (account.identityAssurance === IdentityAssurance.None) return;
    const errors: FieldError[] = [];
    if (dto.realName !== undefined && dto.realName !== account.realName)
      errors.push({
        pointer: '/realName',
        code: 'identityVerified',
        message: 'the verified real name cannot be changed',
      });
    if (
      dto.nationalId !== undefined &&
      (dto.nationalId === null ||
        this.personalData.blindIndex(PersonalField.NationalId, dto.nationalId) !== account.nationalIdBidx)
    )
      errors.push({
        pointer: '/nationalId',
        code: 'identityVerified',
        message: 'the verified ID number cannot be changed',
      });
    if (errors.length) throw new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);
  }

  private async self(ctx: RequestContext, lock = false, withPassword = false): Promise<Account> {
    const id = ctx.actor.id;
    if (!id) throw new DomainError(ErrorCode.Unauthenticated);
    const qb = this.db.repo(Account).createQueryBuilder('a').where('a.id = :id', { id });
    if (withPassword) qb.addSelect('a.passwordHash');
    if (lock) qb.setLock('pessimistic_write');
    const account = await qb.getOne();
    if (!account) throw notFound('account');
    return account;
  }
}

/** Masks from what is stored in clear (the ID's display mask): showing the profile never decrypts. */
export function toMeDto(a: Account): MeDto {
  return {
    id: a.id,
    kind: a.kind,
    status: a.status,
    displayName: a.displayName,
    phone: a.phone ? maskPhone(a.phone) : null,
    email: a.email ? maskEmail(a.email) : null,
    realName: a.realName ? maskName(a.realName) : null,
    nationalId: maskedNationalId(a),
    identityAssurance: a.identityAssurance,
    identityVerifiedAt: a.identityVerifiedAt?.toISOString() ?? null,
    unifiedSocialCreditCode: a.unifiedSocialCreditCode,
    createdAt: a.createdAt.toISOString(),
    version: a.version,
  };
}

/**
 * `110***********1234`. Rows written before the mask column existed only have the last four; they
 * show those until the next profile update rewrites both.
 */
export function maskedNationalId(a: Pick<Account, 'nationalIdMasked' | 'nationalIdLast4'>): string | null {
  if (a.nationalIdMasked) return a.nationalIdMasked;
  return a.nationalIdLast4 ? `${'*'.repeat(14)}${a.nationalIdLast4}` : null;
}

function conflict(ctx: RequestContext, zh: string, en: string): DomainError {
  return new DomainError(ErrorCode.Conflict, { reason: ctx.language === 'en' ? en : zh });
}
