import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { Account, AccountKind } from '../account.entity';
import { LoginThrottle, reauthKeys } from '../auth/login-throttle';
import { PasswordService } from '../auth/password.service';
import { matchTotpStep, newRecoveryCodes, recoveryCodeHash } from '../auth/second-factor';
import { returning } from '../auth/sql';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import {
  ConfirmTotpDto,
  StartTotpEnrolmentDto,
  TotpConfirmationDto,
  TotpEnrolmentDto,
} from './dto/staff.dto';
import { IdentityAudit } from './identity-audit';
import { RecoveryCode } from './recovery-code.entity';
import { fieldError } from './staff.service';
import { newTotpSecret, otpauthUri } from './totp';

/** how long a started enrolment waits for its confirming code */
export const TOTP_ENROLMENT_TTL_SECONDS = 600;

const alreadyEnrolled = (): DomainError =>
  new DomainError(ErrorCode.Conflict, {
    reason: 'a TOTP authenticator is already enrolled; ask an administrator to reset it',
  });

/**
 * A staff member's own TOTP second factor, in two steps. Starting needs the current password (a
 * stolen access token alone cannot bind an attacker's authenticator); the secret waits, encrypted,
 * until a code from the new authenticator confirms it. Confirming turns the factor on, hands out
 * single-use recovery codes once, and ends the account's other sessions: one opened with the
 * password alone must not inherit the roles the second factor now opens.
 */
@Injectable()
export class TotpEnrolmentService {
  constructor(
    private readonly db: Db,
    private readonly passwords: PasswordService,
    private readonly personalData: PersonalDataService,
    private readonly throttle: LoginThrottle,
    private readonly audit: IdentityAudit,
  ) {}

  async start(ctx: RequestContext, dto: StartTotpEnrolmentDto): Promise<TotpEnrolmentDto> {
    const account = await this.self(ctx);
    if (account.totpSecretEnc) throw alreadyEnrolled();
    // Checked outside any transaction: argon2 must not hold a connection, and a failure must count.
    const keys = reauthKeys(account.id);
    await this.throttle.take(keys);
    if (!(await this.passwords.verify(account.passwordHash, dto.password)))
      throw fieldError('/password', 'currentPasswordIncorrect', 'is not the current password');
    await this.throttle.succeeded(keys);
    const secret = newTotpSecret();
    await this.db.transaction(async () => {
      const updated = await returning(
        this.db,
        `UPDATE account SET totp_pending_enc = $2, totp_pending_at = $3
         WHERE id = $1 AND totp_secret_enc IS NULL RETURNING id`,
        [account.id, this.personalData.encrypt(PersonalField.TotpSecret, secret), new Date()],
      );
      if (!updated.length) throw alreadyEnrolled();
      await this.audit.record(ctx, 'staff.totp.enrol', 'account', account.id, account.id);
    });
    return {
      secret,
      otpauthUri: otpauthUri(secret, account.username ?? account.id),
      expiresIn: TOTP_ENROLMENT_TTL_SECONDS,
    };
  }

  async confirm(ctx: RequestContext, dto: ConfirmTotpDto): Promise<TotpConfirmationDto> {
    const account = await this.self(ctx);
    if (account.totpSecretEnc) throw alreadyEnrolled();
    const started = account.totpPendingAt?.getTime() ?? 0;
    if (!account.totpPendingEnc || started + TOTP_ENROLMENT_TTL_SECONDS * 1000 <= Date.now())
      throw new DomainError(ErrorCode.InvalidState, {
        reason: 'no enrolment is waiting for a code (or it expired): start again with your password',
      });
    const keys = reauthKeys(account.id);
    await this.throttle.take(keys);
    const step = matchTotpStep(
      this.personalData.decrypt(PersonalField.TotpSecret, account.totpPendingEnc),
      dto.code,
    );
    if (step === null) throw new DomainError(ErrorCode.VerificationCodeInvalid);
    await this.throttle.succeeded(keys);
    const codes = newRecoveryCodes();
    await this.db.transaction(async () => {
      const updated = await returning(
        this.db,
        `UPDATE account SET totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL,
           totp_pending_at = NULL, totp_last_step = $3, version = version + 1, updated_at = now()
         WHERE id = $1 AND totp_pending_enc = $2 AND totp_secret_enc IS NULL RETURNING id`,
        [account.id, account.totpPendingEnc, step],
      );
      if (!updated.length) throw alreadyEnrolled();
      await this.db.query('DELETE FROM recovery_code WHERE account_id = $1', [account.id]);
      await this.db.repo(RecoveryCode).insert(
        codes.map((c) =>
          this.db.repo(RecoveryCode).create({
            accountId: account.id,
            codeHash: recoveryCodeHash(this.personalData, c),
            usedAt: null,
          }),
        ),
      );
      await this.endOtherSessions(account.id, ctx.actor.sessionId ?? null);
      await this.audit.record(ctx, 'staff.totp.confirm', 'account', account.id, account.id);
    });
    return { recoveryCodes: codes };
  }

  /**
   * Revokes every session of the account but the caller's, as RefreshTokensService.revokeAll does
   * (that service lives in the auth module, which depends on this one).
   */
  private async endOtherSessions(accountId: string, keep: string | null): Promise<void> {
    const now = new Date();
    await this.db.query(
      `UPDATE auth_session SET revoked_at = $3, revoked_reason = 'second_factor'
       WHERE account_id = $1 AND id IS DISTINCT FROM $2::uuid AND revoked_at IS NULL`,
      [accountId, keep, now],
    );
    await this.db.query(
      `UPDATE refresh_token SET revoked_at = $3
       WHERE account_id = $1 AND session_id IS DISTINCT FROM $2::uuid AND revoked_at IS NULL AND used_at IS NULL`,
      [accountId, keep, now],
    );
  }

  private async self(ctx: RequestContext): Promise<Account> {
    if (ctx.actor.kind !== 'staff' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
    const account = await this.db
      .repo(Account)
      .createQueryBuilder('a')
      .addSelect(['a.passwordHash', 'a.totpSecretEnc', 'a.totpPendingEnc', 'a.totpPendingAt'])
      .where('a.id = :id AND a.kind = :kind', { id: ctx.actor.id, kind: AccountKind.Staff })
      .getOne();
    if (!account) throw notFound('account');
    return account;
  }
}
