import { Injectable } from '@nestjs/common';
import { hash, parseOptions, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { COMMON_PASSWORDS } from './common-passwords';

/** OWASP Password Storage minimum for argon2id: m=19 MiB, t=2, p=1. */
const ARGON2 = {
  // 2 is Algorithm.Argon2id: a const enum, which isolated compilation (ts-jest) cannot inline.
  algorithm: 2,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** Hashing, verification and the password policy (NIST SP 800-63B-style: length and a blocklist). */
@Injectable()
export class PasswordService {
  private dummy?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, ARGON2);
  }

  async verify(passwordHash: string | null | undefined, password: string): Promise<boolean> {
    if (!passwordHash) {
      await this.burn(password);
      return false;
    }
    try {
      return await verify(passwordHash, password);
    } catch {
      // A malformed stored hash must read as a wrong password, not a 500 that tells the two apart.
      return false;
    }
  }

  /**
   * Spends the time a real verification would, for logins naming no account, so the answer time
   * does not tell whether the account exists.
   */
  async burn(password: string): Promise<void> {
    this.dummy ??= hash(randomBytes(16).toString('base64'), ARGON2);
    await verify(await this.dummy, password).catch(() => false);
  }

  /** True when a stored hash was made with weaker parameters than today's; rehash on next login. */
  needsRehash(passwordHash: string): boolean {
    try {
      const o = parseOptions(passwordHash);
      return (
        (o.algorithm as number) !== ARGON2.algorithm ||
        o.memoryCost < ARGON2.memoryCost ||
        o.timeCost < ARGON2.timeCost
      );
    } catch {
      return true;
    }
  }

  /**
   * 8–128 characters, not all of one class (lower, upper, digits, other), not a common password,
   * not containing the account's phone or e-mail. Throws 400 with the field named by `pointer`.
   */
  assertAcceptable(password: string, pointer: string, contacts: (string | null | undefined)[] = []): void {
    const fail = (code: string, message: string): never => {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [{ pointer, code, message }]);
    };
    const length = Array.from(password).length;
    const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^a-zA-Z\d]/].filter((re) => re.test(password)).length;
    if (length < PASSWORD_MIN || length > PASSWORD_MAX || classes < 2) {
      fail(
        'passwordPolicy',
        `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters and not all of one kind (lower case, upper case, digits, symbols)`,
      );
    }
    if (COMMON_PASSWORDS.has(password.toLowerCase())) fail('commonPassword', 'is too common; choose another');
    const lower = password.toLowerCase();
    for (const c of contacts) {
      const needle = c?.split('@')[0].toLowerCase();
      if (needle && needle.length >= 4 && lower.includes(needle))
        fail('passwordContainsLogin', 'must not contain your phone number or e-mail');
    }
  }
}
