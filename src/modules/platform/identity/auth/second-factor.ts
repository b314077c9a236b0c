import { timingSafeEqual } from 'node:crypto';
import type { Db } from '../../../../database/db';
import { totpCode } from '../staff/totp';
import { returning } from './sql';

const PERIOD_MS = 30_000;

/**
 * The RFC 6238 time step `code` belongs to (current or one either side, for clock drift), or null.
 * Every candidate is compared, in constant time, so timing does not tell which step matched.
 */
export function matchTotpStep(secret: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = Math.floor(now / PERIOD_MS);
  let matched: number | null = null;
  for (const step of [current - 1, current, current + 1]) {
    if (
      timingSafeEqual(Buffer.from(totpCode(secret, step * PERIOD_MS)), Buffer.from(code)) &&
      matched === null
    )
      matched = step;
  }
  return matched;
}

/** Accepts each step once per account: a code seen over a shoulder or a proxy cannot be replayed. */
export async function claimTotpStep(db: Db, accountId: string, step: number): Promise<boolean> {
  const rows = await returning(
    db,
    `UPDATE account SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id`,
    [accountId, step],
  );
  return rows.length === 1;
}
