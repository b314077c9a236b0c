import { randomInt } from 'node:crypto';
import { nationalIdCheckChar } from '../../src/modules/platform/identity/personal-data/national-id';
import type { TestApp } from '../support/test-app';

/** Test data for the citizen login flows; every value is unique so specs can share one database. */

export const PASSWORD = 'Lantern-River-2024';

/** An unused-looking mainland mobile number (199 + 8 random digits). */
export function uniquePhone(): string {
  return `199${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
}

export function uniqueEmail(): string {
  return `u${Date.now().toString(36)}${randomInt(0, 1e9).toString(36)}@example.test`;
}

/** A valid 18-character national ID (Dongcheng district, random birth date and sequence). */
export function nationalId(check?: 'X'): string {
  for (;;) {
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    const body = `110101${1950 + randomInt(0, 50)}${pad(randomInt(1, 13), 2)}${pad(randomInt(1, 29), 2)}${pad(randomInt(0, 1000), 3)}`;
    const id = body + nationalIdCheckChar(body);
    if (!check || id.endsWith(check)) return id;
  }
}

/** The newest code queued for the account (the outbox row the dev transport would deliver). */
export async function latestCode(
  t: TestApp,
  accountId: string,
  template = 'auth.verify-contact',
): Promise<string> {
  const rows = await t.db.query<{ code: string }>(
    `SELECT params->>'code' AS code FROM notification_outbox WHERE account_id = $1 AND template = $2 ORDER BY id DESC LIMIT 1`,
    [accountId, template],
  );
  if (!rows.length) throw new Error(`no ${template} message for ${accountId}`);
  return rows[0].code;
}

export async function accountIdOf(t: TestApp, contact: { phone?: string; email?: string }): Promise<string> {
  const rows = contact.phone
    ? await t.db.query<{ id: string }>('SELECT id FROM account WHERE phone = $1', [contact.phone])
    : await t.db.query<{ id: string }>('SELECT id FROM account WHERE email = $1', [contact.email]);
  if (rows.length !== 1) throw new Error(`expected one account, found ${rows.length}`);
  return rows[0].id;
}

export interface Citizen {
  id: string;
  phone: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers, verifies and signs in a citizen (or business) through the API. */
export async function signedInCitizen(t: TestApp, extra: Record<string, unknown> = {}): Promise<Citizen> {
  const phone = uniquePhone();
  return { phone, ...(await registerAndSignIn(t, { phone }, extra)) };
}

/** A citizen registered with an e-mail address instead of a phone number. */
export async function citizenByEmail(t: TestApp): Promise<Citizen & { email: string }> {
  const email = uniqueEmail();
  return { email, phone: '', ...(await registerAndSignIn(t, { email }, {})) };
}

async function registerAndSignIn(
  t: TestApp,
  contact: { phone: string } | { email: string },
  extra: Record<string, unknown>,
): Promise<Omit<Citizen, 'phone'>> {
  await t.http
    .post('/v1/auth/register')
    .send({ ...contact, password: PASSWORD, kind: 'citizen', ...extra })
    .expect(201);
  const id = await accountIdOf(t, contact);
  await t.http
    .post('/v1/auth/verify')
    .send({ ...contact, code: await latestCode(t, id) })
    .expect(204);
  const name = 'phone' in contact ? contact.phone : contact.email;
  const login = await t.http.post('/v1/auth/login').send({ login: name, password: PASSWORD }).expect(200);
  return {
    id,
    password: PASSWORD,
    accessToken: login.body.accessToken,
    refreshToken: login.body.refreshToken,
  };
}
