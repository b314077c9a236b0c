import type { INestApplication } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { PasswordService } from '../identity/auth/password.service';
import { sha256Hex } from '../identity/clients/machine-scopes';
import { DEMO_API_KEY, DEMO_CLIENT_SECRET, DEMO_PASSWORD, demoLogins } from './demo-seed';

/**
 * The published demo credentials that still work in this database, named: the demo API key, any
 * client whose current or previous secret is the demo secret, and every demo login whose password
 * is still the demo password. Each account check is one argon2 verification (some 20 accounts).
 */
export async function demoCredentialsIn(app: INestApplication): Promise<string[]> {
  const db = app.get(Db);
  const found: string[] = [];
  const publicId = DEMO_API_KEY.split('_')[1];
  const keys = await db.query(
    'SELECT 1 FROM api_key WHERE public_id = $1 AND key_hash = $2 AND revoked_at IS NULL',
    [publicId, sha256Hex(DEMO_API_KEY)],
  );
  if (keys.length) found.push(`demo API key owk_${publicId}_…`);
  const clients = await db.query<{ client_id: string }>(
    `SELECT client_id FROM oauth_client WHERE active AND (secret_hash = $1 OR previous_secret_hash = $1)
     ORDER BY client_id`,
    [sha256Hex(DEMO_CLIENT_SECRET)],
  );
  for (const c of clients) found.push(`demo client secret of ${c.client_id}`);
  const passwords = app.get(PasswordService);
  const accounts = await db.query<{ login: string; password_hash: string | null }>(
    `SELECT COALESCE(username, phone, email) AS login, password_hash FROM account
     WHERE status <> 'disabled' AND (username = ANY($1) OR phone = ANY($1) OR email = ANY($1))
     ORDER BY 1`,
    [demoLogins()],
  );
  for (const a of accounts)
    if (a.password_hash && (await passwords.verify(a.password_hash, DEMO_PASSWORD)))
      found.push(`demo password of ${a.login}`);
  return found;
}

/**
 * Production refuses to start while any published demo credential works in its database: someone
 * ran the demo seed against it, or copied a development database. The message names each one.
 */
export async function refuseDemoCredentialsInProduction(app: INestApplication): Promise<void> {
  if (app.get<AppConfig>(APP_CONFIG).env !== 'production') return;
  const found = await demoCredentialsIn(app);
  if (found.length)
    throw new Error(
      `demo credentials are present in the production database; remove or change them first: ${found.join('; ')}`,
    );
}
