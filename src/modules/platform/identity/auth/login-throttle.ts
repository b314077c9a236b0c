import { Injectable } from '@nestjs/common';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { PersonalDataService } from '../personal-data/personal-data.service';

/**
 * How failures under one key slow further attempts: after `free` failures, each further attempt
 * waits 2^k seconds (1, 2, 4, … for the failures since), never more than `capSeconds`.
 */
export interface ThrottlePolicy {
  free: number;
  capSeconds: number;
  /** a success clears the count (for the login and the pair); an address's count only decays */
  clearedBySuccess: boolean;
}

/** One address against one login: the guesser slows only itself, up to a quarter of an hour. */
export const PAIR_POLICY: ThrottlePolicy = { free: 3, capSeconds: 900, clearedBySuccess: true };
/**
 * One login from anywhere (a guesser with many addresses). Capped low on purpose: whatever
 * outsiders do, the owner waits at most a minute, so the brake cannot be turned into a lockout.
 */
export const LOGIN_POLICY: ThrottlePolicy = { free: 10, capSeconds: 60, clearedBySuccess: true };
/** One address against any login (password spraying); generous, as an office may share one address. */
export const SOURCE_POLICY: ThrottlePolicy = { free: 100, capSeconds: 900, clearedBySuccess: false };
/** failures older than this are forgotten: the count starts again */
export const THROTTLE_DECAY_MS = 60 * 60_000;

export interface ThrottleKey {
  /** `<kind>:<value>`, hashed before it is stored */
  name: string;
  policy: ThrottlePolicy;
}

/** Seconds the next attempt must wait after `failures` failures (0: at once). */
export function delaySeconds(failures: number, policy: ThrottlePolicy): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.capSeconds, 2 ** (failures - policy.free));
}

/** The keys of a password sign-in: the login name (any address), the address, and the two together. */
export function signInKeys(login: string, source: string | null | undefined): ThrottleKey[] {
  const address = source ?? 'unknown';
  return [
    { name: `login:${login}`, policy: LOGIN_POLICY },
    { name: `source:${address}`, policy: SOURCE_POLICY },
    { name: `pair:${address}|${login}`, policy: PAIR_POLICY },
  ];
}

/**
 * The key of a current-password check by a signed-in account (password change, TOTP enrolment):
 * whoever holds a stolen access token guesses at the pair's pace, and the owner's next sign-in
 * clears nothing of it (a different key), but nobody else can slow the owner down.
 */
export function reauthKeys(accountId: string): ThrottleKey[] {
  return [{ name: `reauth:${accountId}`, policy: PAIR_POLICY }];
}

interface Row {
  key: string;
  failures: number;
  last_failure_at: Date | null;
  next_attempt_at: Date | null;
}

/**
 * Throttling of password guesses (OWASP: throttle, do not lock), in the database so every instance
 * shares it. An attempt is taken only when no key asks for a wait, and is counted as a failure
 * when it is taken, under row locks: concurrent guesses queue on the same rows and each sees the
 * count of the one before, so a burst in parallel gets no more tries than a sequence would. A
 * success (or an answer that was not a verdict on the secret) gives the attempt back.
 * Logins that name no account are counted the same way, so the answers cannot tell them apart.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly personalData: PersonalDataService,
  ) {}

  /** Takes one attempt under every key, counted as failed, or throws 429 RATE_LIMITED with Retry-After. */
  async take(keys: ThrottleKey[], now = new Date()): Promise<void> {
    const hashed = this.hash(keys);
    const ids = hashed.map((k) => k.id);
    await this.db.transaction(async () => {
      await this.db.query(
        `INSERT INTO login_throttle (key, failures) SELECT k, 0 FROM unnest($1::varchar[]) AS k ORDER BY k
         ON CONFLICT (key) DO NOTHING`,
        [ids],
      );
      const rows = await this.db.query<Row>(
        `SELECT key, failures, last_failure_at, next_attempt_at FROM login_throttle
         WHERE key = ANY($1::varchar[]) ORDER BY key FOR UPDATE`,
        [ids],
      );
      const waitMs = Math.max(0, ...rows.map((r) => (r.next_attempt_at ? +r.next_attempt_at - +now : 0)));
      // Thrown inside, so the refusal rolls back even the empty rows it made: it changes nothing.
      if (waitMs > 0) {
        const wait = Math.ceil(waitMs / 1000);
        throw new DomainError(ErrorCode.RateLimited, { retryAfter: wait }, [], {
          'Retry-After': String(wait),
        });
      }
      const failures: number[] = [];
      const next: (Date | null)[] = [];
      for (const k of hashed) {
        const row = rows.find((r) => r.key === k.id)!;
        const fresh = row.last_failure_at && +now - +row.last_failure_at < THROTTLE_DECAY_MS;
        const count = (fresh ? row.failures : 0) + 1;
        const delay = delaySeconds(count, k.policy);
        failures.push(count);
        next.push(delay ? new Date(+now + delay * 1000) : null);
      }
      await this.db.query(
        `UPDATE login_throttle t SET failures = v.f, last_failure_at = $2, next_attempt_at = v.n
         FROM unnest($1::varchar[], $3::int[], $4::timestamptz[]) AS v(k, f, n) WHERE t.key = v.k`,
        [ids, now, failures, next],
      );
    });
  }

  /** The secret was right: the login and pair counts start again; the address gets this attempt back. */
  async succeeded(keys: ThrottleKey[]): Promise<void> {
    const hashed = this.hash(keys);
    const cleared = hashed.filter((k) => k.policy.clearedBySuccess).map((k) => k.id);
    await this.db.query('DELETE FROM login_throttle WHERE key = ANY($1::varchar[])', [cleared]);
    await this.giveBack(hashed.filter((k) => !k.policy.clearedBySuccess));
  }

  /** The answer was no verdict on the secret (a second factor is still wanted): the attempt is given back. */
  async refund(keys: ThrottleKey[]): Promise<void> {
    await this.giveBack(this.hash(keys));
  }

  /** Deletes counts nobody remembers any more (run by the daily auth purge). */
  async purge(now = new Date()): Promise<void> {
    await this.db.query(
      `DELETE FROM login_throttle WHERE (last_failure_at IS NULL OR last_failure_at < $1)
       AND (next_attempt_at IS NULL OR next_attempt_at < $2)`,
      [new Date(+now - THROTTLE_DECAY_MS), now],
    );
  }

  private async giveBack(keys: Array<ThrottleKey & { id: string }>): Promise<void> {
    for (const k of keys) {
      // The wait is recomputed from the smaller count, measured from the last failure.
      await this.db.query(
        `UPDATE login_throttle SET failures = GREATEST(failures - 1, 0),
           next_attempt_at = CASE WHEN failures - 1 > $2
             THEN last_failure_at + make_interval(secs => LEAST($3, power(2, failures - 1 - $2 - 1)))
             ELSE NULL END
         WHERE key = $1`,
        [k.id, k.policy.free, k.policy.capSeconds],
      );
    }
  }

  private hash(keys: ThrottleKey[]): Array<ThrottleKey & { id: string }> {
    return keys
      .map((k) => ({ ...k, id: this.personalData.keyedHash('login-throttle', k.name) }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}
