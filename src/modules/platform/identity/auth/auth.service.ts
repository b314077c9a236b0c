import { Injectable, Optional } from '@nestjs/common';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { IdempotencyService } from '../../../../api/http/idempotency.service';
import { Db } from '../../../../database/db';
import { AuditService } from '../../audit/audit.service';
import { NotificationsService } from '../../notifications/notifications.service';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
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
import { accountLocked, lockedUntilOf, recordFailure, recordSuccess } from './lockout';
import { LoginThrottle } from './login-throttle';
import { PasswordService } from './password.service';
import { RefreshTokensService } from './refresh-tokens.service';
import { claimTotpStep, matchTotpStep } from './second-factor';
import { CodePurpose } from './verification-code.entity';
import { CODE_TTL_MINUTES, VerificationCodesService } from './verification-codes.service';

/** "someone tried to register with your contact" goes out at most once a day per account */
const EXISTS_NOTICE_WINDOW_MS = 86_400_000;

const invalidCredentials = (): DomainError => new DomainError(ErrorCode.InvalidCredentials);
const invalidCode = (): DomainError => new DomainError(ErrorCode.VerificationCodeInvalid);

/** Registration, contact verification, login, refresh, logout and password reset. */
@Injectable()
export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly passwords: PasswordService,
    private readonly codes: VerificationCodesService,
    private readonly sessions: RefreshTokensService,
    private readonly throttle: LoginThrottle,
    private readonly personalData: PersonalDataService,
    private readonly notifications: NotificationsService,
    private readonly idempotency: IdempotencyService,
    @Optional() private readonly audit?: AuditService,
  ) {}

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
        failedLogins: 0,
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

  /** register() for GraphQL, with the same Idempotency-Key rules as POST /v1/auth/register. */
  registerOnce(
    ctx: RequestContext,
    dto: RegisterDto,
    key: string | null | undefined,
  ): Promise<RegistrationAcceptedDto> {
    const request = { method: 'POST', path: '/v1/auth/register', body: dto, status: 201 };
    return this.idempotency.once(ctx, key, request, () => this.register(ctx, dto));
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
   * Password (and, where enrolled, TOTP) login. Unknown login and wrong password answer alike and
   * take alike; five consecutive failures lock the account for 15 minutes; an address hammering one
   * login is throttled in memory as well.
   */
  async login(ctx: RequestContext, dto: LoginDto): Promise<TokenPairDto> {
    const where = parseLogin(dto.login);
    const throttleKey = `${ctx.ip ?? 'unknown'}|${where.field}:${where.value.toLowerCase()}`;
    const wait = this.throttle.retryAfter(throttleKey);
    if (wait > 0)
      throw new DomainError(ErrorCode.RateLimited, { retryAfter: wait }, [], { 'Retry-After': String(wait) });

    const account = await this.db
      .repo(Account)
      .createQueryBuilder('a')
      .addSelect(['a.passwordHash', 'a.totpSecretEnc'])
      .where(`a.${where.field} = :value`, { value: where.value })
      .getOne();
    if (!account) {
      await this.passwords.burn(dto.password);
      this.throttle.fail(throttleKey);
      throw invalidCredentials();
    }
    const locked = lockedUntilOf(account);
    if (locked) throw accountLocked(locked);

    const passwordOk = await this.passwords.verify(account.passwordHash, dto.password);
    if (passwordOk && account.totpSecretEnc && !dto.totp)
      throw new DomainError(ErrorCode.SecondFactorRequired);
    const secondOk = passwordOk && (!account.totpSecretEnc || (await this.checkTotp(account, dto.totp!)));
    if (!secondOk) {
      this.throttle.fail(throttleKey);
      const lockedNow = await recordFailure(this.db, account.id);
      if (lockedNow) throw accountLocked(lockedNow);
      throw invalidCredentials();
    }
    // Only someone holding the password learns the state, so these may be told apart.
    if (account.status === AccountStatus.Pending) throw new DomainError(ErrorCode.AccountNotVerified);
    if (account.status === AccountStatus.Disabled) throw new DomainError(ErrorCode.AccountDisabled);

    this.throttle.reset(throttleKey);
    const rehash = this.passwords.needsRehash(account.passwordHash!)
      ? await this.passwords.hash(dto.password)
      : null;
    return this.db.transaction(async () => {
      await recordSuccess(this.db, account.id, rehash);
      return this.sessions.startSession(ctx, account);
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
   * Sets a new password with a reset code: ends every session, lifts a lockout, and activates a
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
          failedLogins: 0,
          lockedUntil: null,
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
