import { Inject, Injectable, Optional } from '@nestjs/common';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { APP_CONFIG, AppConfig } from '../../../../config/config';
import { Db } from '../../../../database/db';
import { AuditService } from '../../audit/audit.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import { secondFactorRoles } from '../staff/role-catalogue';
import { Contact, contactOf, parseLogin } from './contact';
import {
  LoginDto,
  PasswordResetAcceptedDto,
  PasswordResetConfirmDto,
  PasswordResetRequestDto,
  RefreshDto,
  RegisterDto,
  RegistrationAcceptedDto,
  TokenPairDto,
  VerifyContactDto,
} from './dto/auth.dto';
import { LoginThrottle, signInKeys } from './login-throttle';
import { PasswordService } from './password.service';
import { RefreshTokensService } from './refresh-tokens.service';
import {
  claimRecoveryCode,
  claimTotpStep,
  holdsSecondFactorRole,
  matchTotpStep,
  recoveryCodeHash,
} from './second-factor';
import { CodePurpose } from './verification-code.entity';
import { CODE_TTL_MINUTES, VerificationCodesService } from './verification-codes.service';

/** "someone tried to register with your contact" goes out at most once a day per account */
const EXISTS_NOTICE_WINDOW_MS = 86_400_000;

const invalidCredentials = (): DomainError => new DomainError(ErrorCode.InvalidCredentials);
const invalidCode = (): DomainError => new DomainError(ErrorCode.VerificationCodeInvalid);

/** Registration, contact verification, login, refresh, logout and password reset. */
@Injectable()
export class AuthService {
  /** roles whose holders must enrol a second factor before those roles take effect */
  private readonly secondFactorRoles: ReadonlySet<string>;

  constructor(
    private readonly db: Db,
    private readonly passwords: PasswordService,
    private readonly codes: VerificationCodesService,
    private readonly sessions: RefreshTokensService,
    private readonly throttle: LoginThrottle,
    private readonly personalData: PersonalDataService,
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() private readonly audit?: AuditService,
  ) {
    this.secondFactorRoles = secondFactorRoles(config.secondFactorRoles);
  }

  /**
   * Creates a pending account and sends a code, or, when the contact is taken, answers exactly
   * alike: a pending account gets a fresh code, an active one a notice, and nobody learns which.
   */
  async register(ctx: RequestContext, dto: RegisterDto): Promise<RegistrationAcceptedDto> {
    const contact = contactOf(dto);
    this.passwords.assertAcceptable(dto.password, '/password', [contact.value]);
    const kind = dto.kind === 'business' ? AccountKind.Business : AccountKind.Citizen;
    if (dto.unifiedSocialCreditCode !== undefined && kind !== AccountKind.Business) {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        {
          pointer: '/unifiedSocialCreditCode',
          code: 'businessOnly',
          message: 'only business accounts have a unified social credit code',
        },
      ]);
    }
    // Hashed on every path, so the answer takes as long whether or not the contact is known.
    const passwordHash = await this.passwords.hash(dto.password);
    await this.db.transaction(async () => {
      const existing = await this.findByContact(contact);
      if (existing?.status === AccountStatus.Pending) {
        await this.codes.issue(ctx, existing.id, CodePurpose.Register, contact, passwordHash);
        return;
      }
      if (existing) {
        await this.notifications.enqueueOnce(
          ctx,
          {
            channel: contact.channel,
            recipient: contact.value,
            accountId: existing.id,
            template: 'auth.account-exists',
          },
          EXISTS_NOTICE_WINDOW_MS,
        );
        return;
      }
      if (
        dto.unifiedSocialCreditCode &&
        (await this.db
          .repo(Account)
          .exists({ where: { unifiedSocialCreditCode: dto.unifiedSocialCreditCode } }))
      ) {
        const reason =
          ctx.language === 'en'
            ? 'this unified social credit code already has an account'
            : '该统一社会信用代码已注册账号';
        throw new DomainError(ErrorCode.Conflict, { reason });
      }
      const account = this.db.repo(Account).create({
        kind,
        status: AccountStatus.Pending,
        phone: contact.field === 'phone' ? contact.value : null,
        email: contact.field === 'email' ? contact.value : null,
        username: null,
        passwordHash,
        displayName: dto.displayName ?? null,
        unifiedSocialCreditCode: dto.unifiedSocialCreditCode ?? null,
      });
      await this.db.repo(Account).save(account);
      await this.codes.issue(ctx, account.id, CodePurpose.Register, contact, passwordHash);
      await this.audit?.append(ctx, {
        action: 'account.register',
        resourceType: 'account',
        resourceId: account.id,
        subjectId: account.id,
      });
    });
    return { status: 'pending_verification', channel: contact.channel, codeExpiresIn: CODE_TTL_MINUTES * 60 };
  }

  /** The code proves the contact: the account becomes active with the password of that registration. */
  async verify(ctx: RequestContext, dto: VerifyContactDto): Promise<void> {
    const account = await this.findByContact(contactOf(dto));
    const code =
      account?.status === AccountStatus.Pending
        ? await this.codes.check(account.id, CodePurpose.Register, dto.code)
        : null;
    if (!account || !code) throw invalidCode();
    await this.db.transaction(async () => {
      if (!(await this.codes.consume(code.id))) throw invalidCode();
      const changes: Partial<Account> = { status: AccountStatus.Active };
      if (code.pendingPasswordHash) changes.passwordHash = code.pendingPasswordHash;
      const res = await this.db
        .repo(Account)
        .update({ id: account.id, status: AccountStatus.Pending }, changes);
      if (res.affected !== 1) throw invalidCode();
      await this.audit?.append(ctx, {
        action: 'account.verify',
        resourceType: 'account',
        resourceId: account.id,
        subjectId: account.id,
      });
    });
  }

  /**
   * Password (and, where enrolled, TOTP or a recovery code) login. Guesses are throttled, never
   * locked out: per login, per address and per pair, with waits that double (LoginThrottle), and
   * unknown logins are counted, hashed and answered exactly like wrong passwords.
   */
  async login(ctx: RequestContext, dto: LoginDto): Promise<TokenPairDto> {
    const where = parseLogin(dto.login);
    const keys = signInKeys(`${where.field}:${where.value.toLowerCase()}`, ctx.ip);
    await this.throttle.take(keys);

    const account = await this.db
      .repo(Account)
      .createQueryBuilder('a')
      .addSelect(['a.passwordHash', 'a.totpSecretEnc'])
      .where(`a.${where.field} = :value`, { value: where.value })
      .getOne();
    if (!account) {
      // An argon2 hash of the same cost, so an unknown login takes as long as a wrong password.
      await this.passwords.burn(dto.password);
      throw invalidCredentials();
    }
    if (!(await this.passwords.verify(account.passwordHash, dto.password))) throw invalidCredentials();
    let recoveryCodeUsed = false;
    if (account.totpSecretEnc) {
      if (!dto.totp && !dto.recoveryCode) {
        // Not a verdict on the second factor: the attempt is given back, the count stays.
        await this.throttle.refund(keys);
        throw new DomainError(ErrorCode.SecondFactorRequired);
      }
      recoveryCodeUsed = !dto.totp;
      const ok = dto.totp
        ? await this.checkTotp(account, dto.totp)
        : await claimRecoveryCode(
            this.db,
            account.id,
            recoveryCodeHash(this.personalData, dto.recoveryCode!),
          );
      if (!ok) throw invalidCredentials();
    }
    await this.throttle.succeeded(keys);
    // Only someone holding the password learns the state, so these may be told apart.
    if (account.status === AccountStatus.Pending) throw new DomainError(ErrorCode.AccountNotVerified);
    if (account.status === AccountStatus.Disabled) throw new DomainError(ErrorCode.AccountDisabled);

    const rehash = this.passwords.needsRehash(account.passwordHash!)
      ? await this.passwords.hash(dto.password)
      : null;
    const enrolmentRequired =
      account.kind === AccountKind.Staff &&
      !account.totpSecretEnc &&
      (await holdsSecondFactorRole(this.db, account.id, this.secondFactorRoles));
    return this.db.transaction(async () => {
      await this.db.query(
        `UPDATE account SET last_login_at = $2, password_hash = COALESCE($3, password_hash) WHERE id = $1`,
        [account.id, new Date(), rehash],
      );
      if (recoveryCodeUsed)
        await this.audit?.append(ctx, {
          action: 'staff.totp.recovery-code.use',
          resourceType: 'account',
          resourceId: account.id,
          subjectId: account.id,
        });
      const pair = await this.sessions.startSession(ctx, account);
      return enrolmentRequired ? { ...pair, secondFactorEnrolmentRequired: true } : pair;
    });
  }

  refresh(ctx: RequestContext, dto: RefreshDto): Promise<TokenPairDto> {
    return this.sessions.rotate(ctx, dto.refreshToken);
  }

  /** Ends the caller's session: its refresh tokens and its access tokens (this one included). */
  async logout(ctx: RequestContext): Promise<void> {
    if (ctx.actor.sessionId) await this.sessions.revokeSession(ctx.actor.sessionId, 'logout');
  }

  /** Always 202: whether the contact has an account is not disclosed. */
  async requestPasswordReset(
    ctx: RequestContext,
    dto: PasswordResetRequestDto,
  ): Promise<PasswordResetAcceptedDto> {
    const contact = contactOf(dto);
    const account = await this.findByContact(contact);
    if (account && account.status !== AccountStatus.Disabled)
      await this.codes.issue(ctx, account.id, CodePurpose.PasswordReset, contact);
    return { status: 'accepted' };
  }

  /**
   * Sets a new password with a reset code: ends every session and activates a
   * still-pending account (the code proves the contact as registration would).
   */
  async confirmPasswordReset(ctx: RequestContext, dto: PasswordResetConfirmDto): Promise<void> {
    const contact = contactOf(dto);
    this.passwords.assertAcceptable(dto.newPassword, '/newPassword', [contact.value]);
    const account = await this.findByContact(contact);
    const code =
      account && account.status !== AccountStatus.Disabled
        ? await this.codes.check(account.id, CodePurpose.PasswordReset, dto.code)
        : null;
    if (!account || !code) throw invalidCode();
    const passwordHash = await this.passwords.hash(dto.newPassword);
    await this.db.transaction(async () => {
      if (!(await this.codes.consume(code.id))) throw invalidCode();
      await this.db.repo(Account).update(
        { id: account.id },
        {
          passwordHash,
          tokensValidAfter: new Date(),
          ...(account.status === AccountStatus.Pending ? { status: AccountStatus.Active } : {}),
        },
      );
      await this.sessions.revokeAll(account.id, 'password_reset');
      await this.audit?.append(ctx, {
        action: 'account.password.reset',
        resourceType: 'account',
        resourceId: account.id,
        subjectId: account.id,
      });
    });
  }

  private findByContact(contact: Contact): Promise<Account | null> {
    return this.db
      .repo(Account)
      .findOne({ where: contact.field === 'phone' ? { phone: contact.value } : { email: contact.value } });
  }

  private async checkTotp(account: Account, code: string): Promise<boolean> {
    const secret = this.personalData.decrypt(PersonalField.TotpSecret, account.totpSecretEnc!);
    const step = matchTotpStep(secret, code);
    return step !== null && (await claimTotpStep(this.db, account.id, step));
  }
}
