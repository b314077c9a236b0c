import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import type { Db } from '../../../../database/db';
import { returning } from './sql';

/** consecutive failures (password, second factor, current password) that lock an account */
export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

/**
 * Counts one failure in a single statement (concurrent guesses cannot slip between read and write);
 * the fifth locks the account for LOCKOUT_MINUTES and starts the count again. Plain SQL on purpose:
 * sign-in bookkeeping is not an edit of the account and must not change its version (ETag).
 * Runs outside any transaction, so the refused request cannot roll it back.
 */
export async function recordFailure(db: Db, accountId: string): Promise<Date | null> {
  const [row] = await returning<{ locked_until: Date | null }>(
    db,
    `UPDATE account SET
       failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
       locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
     WHERE id = $1 RETURNING locked_until`,
    [accountId, MAX_FAILED_LOGINS, new Date(Date.now() + LOCKOUT_MINUTES * 60_000)],
  );
  return row?.locked_until && row.locked_until.getTime() > Date.now() ? row.locked_until : null;
}

export function lockedUntilOf(account: { lockedUntil: Date | null }): Date | null {
  return account.lockedUntil && account.lockedUntil.getTime() > Date.now() ? account.lockedUntil : null;
}

/** 423 with Retry-After in whole seconds. */
export function accountLocked(until: Date): DomainError {
  const retryAfter = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  return new DomainError(ErrorCode.AccountLocked, { retryAfter }, [], { 'Retry-After': String(retryAfter) });
}

export async function recordSuccess(db: Db, accountId: string, passwordHash: string | null): Promise<void> {
  await db.query(
    `UPDATE account SET failed_logins = 0, locked_until = NULL, last_login_at = $2,
       password_hash = COALESCE($3, password_hash) WHERE id = $1`,
    [accountId, new Date(), passwordHash],
  );
}
