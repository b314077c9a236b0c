import { Injectable } from '@nestjs/common';
import { randomInt, timingSafeEqual } from 'node:crypto';
import { contextStore } from '../../../../api/context/context-store';
import type { RequestContext } from '../../../../api/context/request-context';
import { Db } from '../../../../database/db';
import { uuidv7 } from '../../../../database/uuid';
import { NotificationsService } from '../../notifications/notifications.service';
import { PersonalDataService } from '../personal-data/personal-data.service';
import type { Contact } from './contact';
import { returning } from './sql';
import { CodePurpose, VerificationCode } from './verification-code.entity';

export const CODE_TTL_MINUTES = 10;
export const CODE_MAX_ATTEMPTS = 5;
/** one code per account and purpose per minute, and ten a day: no SMS bombing through us */
export const CODE_RESEND_COOLDOWN_MS = 60_000;
export const CODE_DAILY_LIMIT = 10;
const HASH_PURPOSE = 'auth.verification-code';

/** One-time codes: issue (queued in the outbox with the caller's transaction) and check. */
@Injectable()
export class VerificationCodesService {
  constructor(
    private readonly db: Db,
    private readonly personalData: PersonalDataService,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * Issues a code and queues its message; returns false (sending nothing) within the resend
   * cooldown or past the daily cap. Callers answer alike either way, so neither reveals anything.
   */
  async issue(
    ctx: RequestContext,
    accountId: string,
    purpose: CodePurpose,
    contact: Contact,
    pendingPasswordHash: string | null = null,
  ): Promise<boolean> {
    return this.db.transaction(async () => {
      const now = Date.now();
      const [recent] = await this.db.query<{ count: number; last: Date | null }>(
        `SELECT count(*)::int AS count, max(created_at) AS last FROM verification_code
         WHERE account_id = $1 AND purpose = $2 AND created_at > $3`,
        [accountId, purpose, new Date(now - 86_400_000)],
      );
      if (
        recent.count >= CODE_DAILY_LIMIT ||
        (recent.last && now - recent.last.getTime() < CODE_RESEND_COOLDOWN_MS)
      )
        return false;
      // Only the newest code works: earlier ones end now.
      await this.db.query(
        `UPDATE verification_code SET expires_at = LEAST(expires_at, $3), pending_password_hash = NULL
         WHERE account_id = $1 AND purpose = $2 AND consumed_at IS NULL`,
        [accountId, purpose, new Date(now)],
      );
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const id = uuidv7();
      await this.db.repo(VerificationCode).save(
        this.db.repo(VerificationCode).create({
          id,
          accountId,
          purpose,
          channel: contact.channel,
          codeHash: this.hashOf(id, code),
          expiresAt: new Date(now + CODE_TTL_MINUTES * 60_000),
          attempts: 0,
          consumedAt: null,
          pendingPasswordHash,
        }),
      );
      await this.notifications.enqueue(ctx, {
        channel: contact.channel,
        recipient: contact.value,
        accountId,
        template: purpose === CodePurpose.Register ? 'auth.verify-contact' : 'auth.password-reset',
        params: { code, minutes: CODE_TTL_MINUTES },
      });
      return true;
    });
  }

  /**
   * The live code if `code` matches it. Each try is counted in its own statement before comparing,
   * outside any transaction, so a refused request cannot roll its attempt back; after
   * CODE_MAX_ATTEMPTS the code is dead even for the right digits. The caller then claims it with
   * consume() inside its transaction.
   */
  async check(accountId: string, purpose: CodePurpose, code: string): Promise<VerificationCode | null> {
    if (contextStore.transaction())
      throw new Error('VerificationCodesService.check must run outside a transaction');
    const row = await this.db
      .repo(VerificationCode)
      .createQueryBuilder('c')
      .addSelect('c.pendingPasswordHash')
      .where('c.account_id = :accountId AND c.purpose = :purpose AND c.consumed_at IS NULL', {
        accountId,
        purpose,
      })
      .orderBy('c.created_at', 'DESC')
      .getOne();
    if (!row || row.expiresAt.getTime() <= Date.now()) return null;
    const counted = await returning(
      this.db,
      `UPDATE verification_code SET attempts = attempts + 1
       WHERE id = $1 AND attempts < $2 AND consumed_at IS NULL AND expires_at > $3 RETURNING id`,
      [row.id, CODE_MAX_ATTEMPTS, new Date()],
    );
    if (!counted.length) return null;
    const expected = Buffer.from(row.codeHash, 'hex');
    const given = Buffer.from(this.hashOf(row.id, code), 'hex');
    return expected.length === given.length && timingSafeEqual(expected, given) ? row : null;
  }

  /** Marks the code used; false when a concurrent request used it first. Call inside the transaction that acts on it. */
  async consume(id: string): Promise<boolean> {
    const rows = await returning(
      this.db,
      `UPDATE verification_code SET consumed_at = $2, pending_password_hash = NULL WHERE id = $1 AND consumed_at IS NULL RETURNING id`,
      [id, new Date()],
    );
    return rows.length === 1;
  }

  private hashOf(id: string, code: string): string {
    return this.personalData.keyedHash(HASH_PURPOSE, `${id}:${code}`);
  }
}
