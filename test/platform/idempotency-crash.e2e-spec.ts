/**
 * Idempotency-Key across crashes, with the built server (`node dist/src/main.js`) in its own process
 * and FAULT_INJECT (test-only, refused in production) firing in a keyed request:
 *
 * - `idempotency-after-commit:kill`: SIGKILL right after the request's transaction committed, before
 *   the answer is written to the socket. The client sees the connection die; after a restart the
 *   retry under the same key gets the stored answer (Idempotent-Replayed) and SQL shows one effect.
 * - `idempotency-before-commit:kill`: SIGKILL inside the transaction, after the handler and the
 *   record. Nothing is left; after a restart the retry runs the request, once.
 * - on PostgreSQL, `drop-connection` at both points: the session ends (pg_terminate_backend) as
 *   in a database restart.
 *
 * Effects are counted in SQL: on PostgreSQL through a second connection, on the embedded database by
 * opening its data directory while the server is down (PGlite is one session).
 *
 * Runs the BUILT code, like process.e2e-spec.ts: dist/ is rebuilt when older than the sources;
 * OW_SERVER_ENTRY points it at another build.
 */
import { PGlite } from '@electric-sql/pglite';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { DEMO_PASSWORD } from '../../src/modules/platform/demo/demo-seed';
import { nationalId } from '../identity/citizen-fixtures';
import { samples } from '../support/sample-files';
import { ENTRY, ensureBuilt, freePort, NODE, ROOT } from '../support/built-server';

const PG = process.env.TEST_DATABASE_URL;
/** A boot migrates and seeds: a few seconds idle, much longer on a busy machine. */
const BOOT_MS = 120_000;

jest.setTimeout(15 * 60_000);

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class ServerProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;

  constructor(readonly proc: ChildProcess) {
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((ok) => proc.once('exit', (code, signal) => ok({ code, signal })));
  }
}

const running = new Set<ServerProcess>();

/**
 * `node dist/src/main.js` on a free port with only the given environment; resolves when ready. The
 * port is free when chosen but not reserved, so a start that loses it (EADDRINUSE) is tried again.
 */
async function boot(env: Record<string, string>): Promise<{ server: ServerProcess; url: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await bootOnce(env);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err;
    }
  }
}

async function bootOnce(env: Record<string, string>): Promise<{ server: ServerProcess; url: string }> {
  const port = await freePort();
  const proc = spawn(NODE, [ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      // a build outside the tree (OW_SERVER_ENTRY) finds the project's packages through NODE_PATH
      ...(process.env.NODE_PATH ? { NODE_PATH: process.env.NODE_PATH } : {}),
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new ServerProcess(proc);
  running.add(server);
  void server.exited.then(() => running.delete(server));
  const until = Date.now() + BOOT_MS;
  for (;;) {
    const m = server.stdout.match(/OneWindow ready in \d+ ms on (http:\/\/\S+)/);
    if (m) return { server, url: m[1] };
    if (!running.has(server) || Date.now() > until)
      throw new Error(`no ready line:\n${server.stdout}\n${server.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(async () => {
  // Only the processes this file started, by their handle.
  for (const s of running) s.proc.kill('SIGKILL');
  await Promise.all([...running].map((s) => s.exited));
});

beforeAll(() => ensureBuilt(), 250_000);

describe(`Idempotency-Key across crashes of the built server on ${PG ? 'PostgreSQL' : 'the embedded database'}`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ow-idem-crash-'));
  const database = `onewindow_idem_crash_${process.pid}`;
  const env: Record<string, string> = { NODE_ENV: 'development', DATA_DIR: dataDir };
  const faulty = (fault: string) => ({ ...env, FAULT_INJECT: fault });
  let server: ServerProcess | undefined;
  let url: string;
  let citizen: Record<string, string>;
  let clerk: Record<string, string>;
  let citizenId: string;
  let serviceId: string;
  let caseId: string;
  let fileId: string;
  let appId: string;
  const idNumber = nationalId();
  const phone = `139${String(randomInt(0, 1e8)).padStart(8, '0')}`;
  const form = { applicantName: '崩溃测试', idNumber, phone, birthDate: '1950-01-02', hukouType: 'local' };

  /** SQL on the server's database; on the embedded one only while the server is down. */
  async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
    if (PG) {
      const u = new URL(PG);
      u.pathname = `/${database}`;
      const client = new Client({ connectionString: u.toString() });
      await client.connect();
      try {
        return (await client.query(text, params)).rows as T[];
      } finally {
        await client.end();
      }
    }
    const db = await PGlite.create(join(dataDir, 'pg'));
    try {
      return (await db.query<T>(text, params)).rows;
    } finally {
      await db.close();
    }
  }
  const count = async (text: string, params: unknown[] = []) =>
    Number((await sql<{ n: number | string }>(`SELECT count(*) AS n FROM ${text}`, params))[0].n);
  const keyRow = async (key: string) =>
    (
      await sql<{ response_status: number; response_body: string; cipher_key_id: string }>(
        `SELECT response_status, response_body, cipher_key_id FROM idempotency_key WHERE "key" = $1`,
        [key],
      )
    )[0];

  async function start(e: Record<string, string>): Promise<void> {
    ({ server, url } = await boot(e));
  }

  /** Sends a keyed request to a server set to die in it: the connection breaks, the process is SIGKILLed. */
  async function killedBy(send: () => Promise<unknown>): Promise<void> {
    const dying = server!;
    await expect(send()).rejects.toThrow(/socket hang up|ECONNRESET|ECONNREFUSED/);
    expect(await dying.exited).toEqual({ code: null, signal: 'SIGKILL' });
  }

  async function stop(): Promise<void> {
    if (!server) return;
    server.proc.kill('SIGKILL');
    await server.exited;
    server = undefined;
  }

  const login = async (who: string) => {
    const res = await request(url).post('/v1/auth/login').send({ login: who, password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    return { Authorization: `Bearer ${res.body.accessToken as string}` };
  };
  const createDraft = (key: string) =>
    request(url)
      .post('/v1/applications')
      .set(citizen)
      .set('Idempotency-Key', key)
      .send({ serviceId, formData: form });
  const applications = () => count('application WHERE applicant_account_id = $1', [citizenId]);

  beforeAll(async () => {
    if (!PG) return;
    const admin = new Client({ connectionString: PG });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const u = new URL(PG);
    u.pathname = `/${database}`;
    env.DATABASE_URL = u.toString();
  });

  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (!PG) return;
    const admin = new Client({ connectionString: PG });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('boots, seeds the demo data and refuses FAULT_INJECT in production', async () => {
    await start(env);
    citizen = await login('13800000001');
    clerk = await login('clerk.civil');
    citizenId = (await request(url).get('/v1/me').set(citizen).expect(200)).body.id as string;
    const services = await request(url).get('/v1/services?limit=100&region=99').expect(200);
    serviceId = (services.body.items as Array<{ id: string; title: string }>).find(
      (s) => s.title === '老年人优待证办理',
    )!.id;
    await stop();

    // The switch exists only for tests: a production process will not start with it.
    const prod = spawnSync(NODE, [ENTRY], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        ...(process.env.NODE_PATH ? { NODE_PATH: process.env.NODE_PATH } : {}),
        NODE_ENV: 'production',
        FAULT_INJECT: 'idempotency-after-commit:kill',
      },
    });
    expect(prod.status).not.toBe(0);
    expect(`${prod.stdout}${prod.stderr}`).toContain('FAULT_INJECT');
  });

  it('create draft, attach, submit, case action and upload: killed after COMMIT, each retry replays the stored answer and SQL shows one effect', async () => {
    const fault = faulty('idempotency-after-commit:kill');
    const before = await applications();

    // 1. Create a draft.
    const k1 = `crash-draft-${randomUUID()}`;
    await start(fault);
    await killedBy(() => createDraft(k1));
    expect(await applications()).toBe(before + 1);
    const stored = await keyRow(k1);
    expect(stored).toMatchObject({ response_status: 201, cipher_key_id: 'dev1' });
    // The stored answer holds the form, national ID and phone included: sealed, nothing in clear.
    expect(stored.response_body).toMatch(/^v1\.dev1\./);
    expect(stored.response_body).not.toContain(idNumber);
    expect(stored.response_body).not.toContain(phone);
    [{ id: appId }] = await sql<{ id: string }>(
      'SELECT id FROM application WHERE applicant_account_id = $1 ORDER BY created_at DESC LIMIT 1',
      [citizenId],
    );
    await start(fault); // still armed: a replay commits nothing, so nothing fires
    const draft = await createDraft(k1).expect(201);
    expect(draft.headers['idempotent-replayed']).toBe('true');
    expect(draft.body).toMatchObject({ id: appId, status: 'draft', formData: form });

    // 2. Attach a file (uploaded without a key: no fault).
    fileId = (
      await request(url)
        .post('/v1/files')
        .set(citizen)
        .attach('file', samples.pdf(), { filename: 'id.pdf', contentType: 'application/pdf' })
        .expect(201)
    ).body.id as string;
    const k2 = `crash-attach-${randomUUID()}`;
    const attach = () =>
      request(url)
        .post(`/v1/applications/${appId}/attachments`)
        .set(citizen)
        .set('Idempotency-Key', k2)
        .send({ fileId, material: '居民身份证或户口簿' });
    await killedBy(attach);
    expect(await count('application_attachment WHERE application_id = $1', [appId])).toBe(1);
    const files = await count('stored_file WHERE uploader_id = $1', [citizenId]);
    await start(fault);
    const attached = await attach().expect(201);
    expect(attached.headers['idempotent-replayed']).toBe('true');
    expect(attached.body.attachments).toEqual([expect.objectContaining({ fileId })]);

    // 3. Submit: before, a retry got 409 (the application was no longer a draft).
    const k3 = `crash-submit-${randomUUID()}`;
    const submit = () =>
      request(url).post(`/v1/applications/${appId}/submit`).set(citizen).set('Idempotency-Key', k3).send();
    await killedBy(submit);
    expect(await sql('SELECT status FROM application WHERE id = $1', [appId])).toEqual([
      { status: 'submitted' },
    ]);
    expect(await count(`case_file WHERE subject_type = 'application' AND subject_id = $1`, [appId])).toBe(1);
    [{ id: caseId }] = await sql<{ id: string }>(
      `SELECT id FROM case_file WHERE subject_type = 'application' AND subject_id = $1`,
      [appId],
    );
    await start(fault);
    const submitted = await submit().expect(200);
    expect(submitted.headers['idempotent-replayed']).toBe('true');
    expect(submitted.body).toMatchObject({ id: appId, status: 'submitted' });

    // 4. A staff action on the case.
    const k4 = `crash-accept-${randomUUID()}`;
    const accept = () =>
      request(url).post(`/v1/cases/${caseId}/actions/accept`).set(clerk).set('Idempotency-Key', k4).send({});
    await killedBy(accept);
    expect(await count(`case_event WHERE case_id = $1 AND action = 'accept'`, [caseId])).toBe(1);
    await start(fault);
    const accepted = await accept().expect(200);
    expect(accepted.headers['idempotent-replayed']).toBe('true');
    expect(accepted.body).toMatchObject({ id: caseId, stage: 'decision' });
    expect(await request(url).get(`/v1/cases/${caseId}`).set(clerk).expect(200)).toMatchObject({
      body: { stage: 'decision' },
    });

    // 5. An upload.
    const k5 = `crash-upload-${randomUUID()}`;
    const upload = (body: Buffer, type = 'application/pdf') =>
      request(url).post('/v1/files').set(citizen).set('Idempotency-Key', k5).attach('file', body, {
        filename: 'scan.pdf',
        contentType: type,
      });
    await killedBy(() => upload(samples.pdf()));
    expect(await count('stored_file WHERE uploader_id = $1', [citizenId])).toBe(files + 1);
    await start(fault);
    const uploaded = await upload(samples.pdf()).expect(201);
    expect(uploaded.headers['idempotent-replayed']).toBe('true');
    // Other bytes under the key are another request.
    const other = await upload(samples.png(), 'image/png').expect(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    await stop();
    const [{ id: newest }] = await sql<{ id: string }>(
      'SELECT id FROM stored_file WHERE uploader_id = $1 ORDER BY created_at DESC LIMIT 1',
      [citizenId],
    );
    expect(uploaded.body.id).toBe(newest);
    expect(await count('stored_file WHERE uploader_id = $1', [citizenId])).toBe(files + 1);

    // Everything once: one draft, one attachment, one submission, one acceptance, one upload.
    expect(await applications()).toBe(before + 1);
    expect(await count('application_attachment WHERE application_id = $1', [appId])).toBe(1);
    expect(await count(`case_event WHERE case_id = $1 AND action = 'accept'`, [caseId])).toBe(1);
  });

  it('killed before COMMIT: nothing is left, and the retry runs the request once', async () => {
    const before = await applications();
    const key = `crash-before-${randomUUID()}`;
    await start(faulty('idempotency-before-commit:kill'));
    await killedBy(() => createDraft(key));
    expect(await applications()).toBe(before);
    expect(await count('idempotency_key WHERE "key" = $1', [key])).toBe(0);

    await start(env);
    const first = await createDraft(key).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await createDraft(key).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    await stop();
    expect(await applications()).toBe(before + 1);
    expect(await count('idempotency_key WHERE "key" = $1', [key])).toBe(1);
  });

  it('complaint filing: killed after COMMIT the retry replays the one order; killed before COMMIT the retry files it once', async () => {
    const orders = (text: string) => count('complaint WHERE description = $1', [text]);
    const fileOrder = (key: string, description: string) =>
      request(url).post('/v1/complaints').set(citizen).set('Idempotency-Key', key).send({
        categoryCode: 'urban.noise',
        description,
        addressString: '演示路 1 号',
        anonymous: false,
        phone,
        channel: 'portal',
      });

    // After COMMIT: the order, its case and its tracking code exist once; the retry gets the same answer.
    const afterText = `夜间施工噪音 ${randomUUID()}`;
    const k1 = `crash-complaint-${randomUUID()}`;
    await start(faulty('idempotency-after-commit:kill'));
    await killedBy(() => fileOrder(k1, afterText));
    expect(await orders(afterText)).toBe(1);
    const stored = await keyRow(k1);
    expect(stored).toMatchObject({ response_status: 201 });
    expect(stored.response_body).toMatch(/^v1\.dev1\./);
    expect(stored.response_body).not.toContain(phone);
    const [order] = await sql<{ number: string; tracking_code: string }>(
      'SELECT number, tracking_code FROM complaint WHERE description = $1',
      [afterText],
    );
    await start(faulty('idempotency-after-commit:kill')); // a replay commits nothing: nothing fires
    const replay = await fileOrder(k1, afterText).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toMatchObject({ number: order.number, duplicate: false });
    await stop();
    expect(await orders(afterText)).toBe(1);
    expect(await count('case_file WHERE case_type = $1 AND number = $2', ['complaint', order.number])).toBe(
      1,
    );

    // Before COMMIT: nothing is left; the retry files the order once.
    const beforeText = `楼道堆物 ${randomUUID()}`;
    const k2 = `crash-complaint-${randomUUID()}`;
    await start(faulty('idempotency-before-commit:kill'));
    await killedBy(() => fileOrder(k2, beforeText));
    expect(await orders(beforeText)).toBe(0);
    expect(await count('idempotency_key WHERE "key" = $1', [k2])).toBe(0);
    await start(env);
    const filed = await fileOrder(k2, beforeText).expect(201);
    expect(filed.headers['idempotent-replayed']).toBeUndefined();
    await stop();
    expect(await orders(beforeText)).toBe(1);
  });

  (PG ? it : it.skip)(
    'on PostgreSQL, a database connection dropped after COMMIT still answers, and before COMMIT leaves nothing',
    async () => {
      const before = await applications();
      const after = `drop-after-${randomUUID()}`;
      await start(faulty('idempotency-after-commit:drop-connection'));
      const first = await createDraft(after).expect(201);
      expect(await applications()).toBe(before + 1);
      const again = await createDraft(after).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect(await applications()).toBe(before + 1);
      await stop();

      const inside = `drop-before-${randomUUID()}`;
      await start(faulty('idempotency-before-commit:drop-connection'));
      const failed = await createDraft(inside);
      expect(failed.status).toBe(503);
      expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await applications()).toBe(before + 1);
      expect(await count('idempotency_key WHERE "key" = $1', [inside])).toBe(0);
      await stop();
      await start(env);
      const retried = await createDraft(inside).expect(201);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
      expect(await applications()).toBe(before + 2);
      await stop();
    },
  );
});
