/**
 * The reads a signed-in user makes on every screen (issue 11 §4): a citizen's list of their
 * applications, a clerk's task queue and one case. The seed adds a second citizen (so the list is
 * exactly the 20 applications made here, whatever the submission scenario adds to the first) and a
 * clerk holding the `clerk` role in the submission service's unit; the 20 applications are made
 * and submitted through the API, so each has its case, task and history as production has them.
 */
import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type { Client } from 'pg';
import { SUBMIT_FORM_DATA } from './submission';

export const READER_LOGIN = '13900000001';
export const CLERK_LOGIN = 'bench-clerk';
const PASSWORD = 'bench-Reader-2026!';
/** how many applications the reading citizen holds (the list reads a page of 20) */
export const READER_APPLICATIONS = 20;

export interface SignedIn {
  citizenToken: string;
  clerkToken: string;
  caseId: string;
}

/** The reading citizen and the clerk (same argon2id parameters as PasswordService: no rehash at login). */
export async function seedSignedIn(c: Client, serviceId: string): Promise<void> {
  const passwordHash = await hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  await c.query(
    `INSERT INTO account (id, kind, status, phone, password_hash, display_name, version, created_at, updated_at)
     VALUES (gen_random_uuid(), 'citizen', 'active', $1, $2, '基准读者', 1, now(), now())`,
    [READER_LOGIN, passwordHash],
  );
  await c.query(
    `WITH o AS (SELECT organisation_id AS id FROM service WHERE id = $3),
     a AS (
       INSERT INTO account (id, kind, status, username, password_hash, display_name, organisation_id, version,
         created_at, updated_at)
       SELECT gen_random_uuid(), 'staff', 'active', $1, $2, '基准受理员', o.id, 1, now(), now() FROM o
       RETURNING id, organisation_id)
     INSERT INTO role_assignment (id, account_id, role, organisation_id, version, created_at, updated_at)
     SELECT gen_random_uuid(), a.id, 'clerk', a.organisation_id, 1, now(), now() FROM a`,
    [CLERK_LOGIN, passwordHash, serviceId],
  );
}

async function login(base: string, loginName: string): Promise<string> {
  const res = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: loginName, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`bench login ${loginName}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function post(base: string, token: string, path: string, body: unknown): Promise<{ id: string }> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify(body),
  });
  if (res.status !== 200 && res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string };
}

/**
 * Logs both in and has the citizen make and submit their applications through the API (one case,
 * one open task and a history each, in the clerk's queue). Returns the tokens and one case id.
 */
export async function prepareSignedIn(base: string, c: Client, serviceId: string): Promise<SignedIn> {
  const citizenToken = await login(base, READER_LOGIN);
  const clerkToken = await login(base, CLERK_LOGIN);
  for (let i = 0; i < READER_APPLICATIONS; i++) {
    const { id } = await post(base, citizenToken, '/v1/applications', {
      serviceId,
      formData: SUBMIT_FORM_DATA,
    });
    await post(base, citizenToken, `/v1/applications/${id}/submit`, {});
  }
  const { rows } = await c.query<{ id: string }>(
    `SELECT cf.id FROM case_file cf JOIN account a ON a.id = cf.applicant_account_id
     WHERE a.phone = $1 ORDER BY cf.id LIMIT 1`,
    [READER_LOGIN],
  );
  if (!rows[0]) throw new Error('signed-in reads: no case was opened for the reading citizen');
  return { citizenToken, clerkToken, caseId: rows[0].id };
}

/** Top-level keys and the first item's keys, to check that a twin answers the same JSON shape. */
export function shapeOf(body: unknown): string {
  const keys = (o: unknown) =>
    o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o).sort().join(',') : typeof o;
  const b = body as Record<string, unknown>;
  const list = Array.isArray(b?.items)
    ? (b.items as unknown[])
    : Array.isArray(b?.tasks)
      ? (b.tasks as unknown[])
      : [];
  const first = list[0];
  return `${keys(b)} | ${keys(first)}`;
}
