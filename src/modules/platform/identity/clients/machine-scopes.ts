import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import type { Db } from '../../../../database/db';
import { Organisation } from '../../organisations/organisation.entity';
import { isInScope } from '../staff/unit-scope';

/** hex SHA-256: enough for 256-bit random secrets, which no one can guess or look up in a dictionary. */
export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Constant-time comparison of a presented secret with a stored hex digest. */
export function digestMatches(presented: string, storedHex: string | null | undefined): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = storedHex && /^[0-9a-f]{64}$/.test(storedHex) ? Buffer.from(storedHex, 'hex') : Buffer.alloc(32);
  return timingSafeEqual(a, b) && !!storedHex;
}

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * Whoever hands out a machine credential must manage that unit (else 404, as if it did not exist)
 * and hold every scope they give, at that unit: nobody mints a credential stronger than themselves.
 * A credential without a unit needs the scopes held everywhere.
 */
export async function requireGrantable(
  db: Db,
  ctx: RequestContext,
  manage: Permission,
  organisationId: string | null,
  scopes: string[],
): Promise<void> {
  if (organisationId) {
    const exists = await db.repo(Organisation).exists({ where: { id: organisationId } });
    if (!exists || !(await isInScope(db, ctx, manage, organisationId))) throw notFound('organisation');
  } else if (ctx.scopeOf(manage) !== '*') {
    throw new DomainError(ErrorCode.Forbidden);
  }
  for (const s of scopes) {
    const held = organisationId
      ? await isInScope(db, ctx, s as Permission, organisationId)
      : ctx.scopeOf(s as Permission) === '*';
    if (!held) throw new DomainError(ErrorCode.Forbidden);
  }
}
