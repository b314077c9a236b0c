import type { TestApp } from './test-app';
import { AccessTokenService } from '../../src/modules/platform/identity/access-token.service';
import { RefreshTokensService } from '../../src/modules/platform/identity/auth/refresh-tokens.service';
import { RequestContext, type ActorKind } from '../../src/api/context/request-context';
import { uuidv7 } from '../../src/database/uuid';

/**
 * Mints a real access token (same signer as login) for a synthetic caller whose permissions are
 * given as scopes, held everywhere. Account tokens (citizen, staff) are refused without a session,
 * so one is opened for the caller through the service login uses: logout and revocation reach it
 * like any other; the caller's account row is created if `sub` names none. Role-in-unit callers come
 * from the identity fixtures.
 */
export async function scopedToken(
  t: TestApp,
  kind: ActorKind,
  scopes: string[],
  sub = uuidv7(),
): Promise<string> {
  const person = kind === 'citizen' || kind === 'staff';
  // The session names its account (a foreign key), so the synthetic caller gets a row of its own.
  if (person)
    await t.db.query(
      `INSERT INTO account (id, kind, status) VALUES ($1, $2, 'active') ON CONFLICT (id) DO NOTHING`,
      [sub, kind],
    );
  const sid = person
    ? await t.app.get(RefreshTokensService).openSession(RequestContext.system('test'), sub)
    : undefined;
  const { token } = await t.app.get(AccessTokenService).issue({ sub, kind, sid, scope: scopes.join(' ') });
  return token;
}
