import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../../../../database/db';
import type { PersonalDataService } from '../personal-data/personal-data.service';
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

/** how many recovery codes a confirmed enrolment hands out */
export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
/** `XXXXX-XXXXX` (the hyphen and case optional when typed back): 10 characters of 32, 50 bits */
export const RECOVERY_CODE_PATTERN = /^[A-Za-z2-9]{5}-?[A-Za-z2-9]{5}$/;

/** New recovery codes, as shown to the user once. No I, O, 0 or 1: they are read off paper. */
export function newRecoveryCodes(n = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: n }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b & 31]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** The form that is hashed: upper case, no hyphen. */
export function normaliseRecoveryCode(code: string): string {
  return code.replace(/-/g, '').toUpperCase();
}

/** Uses up one recovery code of the account; false when it is unknown or already used. */
export async function claimRecoveryCode(db: Db, accountId: string, codeHash: string): Promise<boolean> {
  const rows = await returning(
    db,
    `UPDATE recovery_code SET used_at = now(), version = version + 1
     WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
    [accountId, codeHash],
  );
  return rows.length === 1;
}

/**
 * Whether the staff account holds, now, a role (its own or delegated to it) that needs a second
 * factor. Such an account without one signs in, but those roles' grants wait for its enrolment.
 */
export async function holdsSecondFactorRole(
  db: Db,
  accountId: string,
  roles: Iterable<string>,
): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM role_assignment r WHERE r.account_id = $1 AND r.role = ANY($2::varchar[])
       AND (r.valid_from IS NULL OR r.valid_from <= now()) AND (r.valid_until IS NULL OR r.valid_until > now())
     UNION ALL
     SELECT 1 FROM delegation d WHERE d.to_account_id = $1 AND d.role = ANY($2::varchar[])
       AND d.revoked_at IS NULL AND d.valid_from <= now() AND d.valid_until > now()
     LIMIT 1`,
    [accountId, [...roles]],
  );
  return rows.length > 0;
}

/** What a recovery code is stored as: a keyed hash of its normalised form. */
export function recoveryCodeHash(personalData: PersonalDataService, code: string): string {
  return personalData.keyedHash('recovery-code', normaliseRecoveryCode(code));
}
