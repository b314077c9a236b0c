import type { TestApp } from './test-app';
import { AccessTokenService } from '../../src/modules/platform/identity/access-token.service';
import type { ActorKind } from '../../src/api/context/request-context';
import { uuidv7 } from '../../src/database/uuid';

/**
 * Mints a real access token (same signer as login) for a synthetic caller whose permissions are
 * given as scopes, held everywhere. Role-in-unit callers come from the identity fixtures.
 */
export async function scopedToken(
  t: TestApp,
  kind: ActorKind,
  scopes: string[],
  sub = uuidv7(),
): Promise<string> {
  const { token } = await t.app.get(AccessTokenService).issue({ sub, kind, scope: scopes.join(' ') });
  return token;
}
