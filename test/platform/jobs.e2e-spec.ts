import { randomUUID } from 'node:crypto';
import { contextStore } from '../../src/api/context/context-store';
import type { RequestContext } from '../../src/api/context/request-context';
import { PermanentJobError } from '../../src/modules/platform/jobs/job-failure';
import { JobWorker } from '../../src/modules/platform/jobs/job-worker.service';
import { JobPayload, JobsService } from '../../src/modules/platform/jobs/jobs.service';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

interface JobRow {
  id: string;
  name: string;
  payload: JobPayload;
  status: string;
  run_at: Date;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  locked_until: Date | null;
  dedupe_key: string | null;
  finished_at: Date | null;
}

const HOUR = 3600_000;
const later = (ms: number) => new Date(Date.now() + ms);

describe('jobs', () => {
  let t: TestApp;
  let jobs: JobsService;
  let worker: JobWorker;
  // Unique per run: the database is shared with other suites and earlier runs.
  const tag = randomUUID().slice(0, 8);
  const nameOf = (what: string) => `test.${what}-${tag}`;
  const rows = (name: string) => t.db.query<JobRow>('SELECT * FROM job WHERE name = $1 ORDER BY id', [name]);
  const rowByKey = (key: string) => t.db.query<JobRow>('SELECT * FROM job WHERE dedupe_key = $1', [key]);

  beforeAll(async () => {
    t = await startTestApp({ JOBS_POLL_MS: '50' });
    jobs = t.app.get(JobsService);
    worker = t.app.get(JobWorker);
  });
  afterAll(() => t.close());

  it('is off in tests unless enabled, so specs drive it themselves', () => {
    expect(t.config.jobs.enabled).toBe(false);
  });

  it('drops a job enqueued in a transaction that rolls back', async () => {
    const name = nameOf('rollback');
    await expect(
      t.db.transaction(async () => {
        await jobs.enqueue(name, { n: 1 });
        expect(await rows(name)).toHaveLength(1); // visible inside the transaction
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await rows(name)).toHaveLength(0);
  });

  it('keeps a job enqueued in a committed transaction as pending', async () => {
    const name = nameOf('commit');
    const id = await t.db.transaction(() => jobs.enqueue(name, { caseId: 'c-1' }, { maxAttempts: 4 }));
    const [row] = await rows(name);
    expect(row).toMatchObject({
      id,
      status: 'pending',
      attempts: 0,
      max_attempts: 4,
      payload: { caseId: 'c-1' },
      last_error: null,
    });
    expect(Math.abs(new Date(row.run_at).getTime() - Date.now())).toBeLessThan(60_000);
    await worker.drain(); // leave nothing due behind
  });

  it('runs a due job once, in its own transaction with a system context, and marks it done', async () => {
    const name = nameOf('ok');
    const followUp = nameOf('follow-up');
    const seen: { payload: JobPayload; ctx: RequestContext; sameCtx: boolean; inTx: boolean }[] = [];
    jobs.register(name, async (payload, ctx) => {
      seen.push({
        payload,
        ctx,
        sameCtx: contextStore.current() === ctx,
        inTx: !!contextStore.transaction(),
      });
      await jobs.enqueue(followUp, { from: payload.caseId }); // joins the job's transaction
    });
    const id = await jobs.enqueue(name, { caseId: 'c-2' });

    expect(await worker.runDueJobs()).toBeGreaterThanOrEqual(1);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ payload: { caseId: 'c-2' }, sameCtx: true, inTx: true });
    expect(seen[0].ctx.actor).toMatchObject({ kind: 'system', id: name });
    const [row] = await rows(name);
    expect(row).toMatchObject({ id, status: 'done', attempts: 1, locked_until: null });
    expect(row.finished_at).not.toBeNull();
    expect(await rows(followUp)).toMatchObject([{ status: 'pending', payload: { from: 'c-2' } }]);

    await worker.drain();
    expect(seen).toHaveLength(1);
  });

  it('retries a failing job with backoff, rolls back its writes, and marks it dead after maxAttempts', async () => {
    const name = nameOf('flaky');
    const sideEffect = nameOf('side-effect');
    let calls = 0;
    jobs.register(name, async () => {
      calls++;
      await jobs.enqueue(sideEffect, {});
      throw new Error(`SMS gateway refused 13812345678 (attempt ${calls})`);
    });
    const start = new Date();
    await jobs.enqueue(name, {}, { maxAttempts: 3, runAt: start });

    await worker.runDueJobs(start);
    let [row] = await rows(name);
    expect(calls).toBe(1);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, locked_until: null, finished_at: null });
    expect(row.last_error).toBe('Error: SMS gateway refused [number] (attempt 1)');
    const delay1 = new Date(row.run_at).getTime() - start.getTime();
    expect(delay1).toBeGreaterThanOrEqual(2000);
    expect(delay1).toBeLessThanOrEqual(2200);
    expect(await rows(sideEffect)).toHaveLength(0);

    await worker.runDueJobs(start); // not yet due again
    expect(calls).toBe(1);

    const t2 = new Date(start.getTime() + 10_000);
    await worker.runDueJobs(t2);
    [row] = await rows(name);
    expect(row).toMatchObject({ status: 'pending', attempts: 2 });
    const delay2 = new Date(row.run_at).getTime() - t2.getTime();
    expect(delay2).toBeGreaterThanOrEqual(4000);
    expect(delay2).toBeLessThanOrEqual(4400);

    await worker.runDueJobs(new Date(start.getTime() + 60_000));
    [row] = await rows(name);
    expect(calls).toBe(3);
    expect(row).toMatchObject({
      status: 'dead',
      attempts: 3,
      last_error: 'Error: SMS gateway refused [number] (attempt 3)',
    });
    expect(row.finished_at).not.toBeNull();
    expect(row.last_error).not.toMatch(/\bat\b.*\.ts/); // no stack frames

    await worker.drain(new Date(start.getTime() + 24 * HOUR));
    expect(calls).toBe(3);
    expect(await rows(sideEffect)).toHaveLength(0);
  });

  it('does not retry a PermanentJobError', async () => {
    const name = nameOf('permanent');
    let calls = 0;
    jobs.register(name, () => {
      calls++;
      return Promise.reject(new PermanentJobError('case no longer exists'));
    });
    await jobs.enqueue(name, {});
    await worker.drain(later(24 * HOUR));
    expect(calls).toBe(1);
    expect(await rows(name)).toMatchObject([
      { status: 'failed', attempts: 1, last_error: 'PermanentJobError: case no longer exists' },
    ]);
  });

  it('does not run a job before its runAt', async () => {
    const name = nameOf('future');
    let calls = 0;
    jobs.register(name, () => Promise.resolve(void calls++));
    const runAt = later(HOUR);
    await jobs.enqueue(name, {}, { runAt });
    await worker.drain();
    await worker.drain(new Date(runAt.getTime() - 1000));
    expect(calls).toBe(0);
    expect(await rows(name)).toMatchObject([{ status: 'pending', attempts: 0 }]);
    await worker.drain(runAt);
    expect(calls).toBe(1);
    expect(await rows(name)).toMatchObject([{ status: 'done', attempts: 1 }]);
  });

  it('replaces the pending job of a dedupe key and cancels it', async () => {
    const name = nameOf('remind');
    const key = `case:${randomUUID()}:reminder`;
    const first = await jobs.enqueue(name, { v: 1 }, { runAt: later(HOUR), dedupeKey: key });
    const secondRunAt = later(2 * HOUR);
    const second = await t.db.transaction(() =>
      jobs.enqueue(name, { v: 2 }, { runAt: secondRunAt, dedupeKey: key, maxAttempts: 2 }),
    );
    expect(second).toBe(first);
    const [row] = await rowByKey(key);
    expect(await rows(name)).toHaveLength(1);
    expect(row).toMatchObject({ id: first, status: 'pending', payload: { v: 2 }, max_attempts: 2 });
    expect(new Date(row.run_at).getTime()).toBe(secondRunAt.getTime());

    // A replace that rolls back leaves the earlier version in place.
    await expect(
      t.db.transaction(async () => {
        await jobs.enqueue(name, { v: 3 }, { runAt: later(3 * HOUR), dedupeKey: key });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await rowByKey(key)).toMatchObject([{ id: first, payload: { v: 2 } }]);

    expect(await jobs.cancel(key)).toBe(1);
    expect(await rows(name)).toHaveLength(0);
    expect(await jobs.cancel(key)).toBe(0);
  });

  it('lets a running job reschedule its own dedupe key', async () => {
    const name = nameOf('recurring');
    const key = `recurring:${tag}`;
    const nextRunAt = later(HOUR);
    jobs.register(name, async (payload: { round: number }) => {
      if (payload.round < 2)
        await jobs.enqueue(name, { round: payload.round + 1 }, { dedupeKey: key, runAt: nextRunAt });
    });
    await jobs.enqueue(name, { round: 1 }, { dedupeKey: key });
    await worker.drain();
    const all = await rows(name);
    expect(all).toMatchObject([
      { status: 'done', dedupe_key: null, payload: { round: 1 } },
      { status: 'pending', dedupe_key: key, payload: { round: 2 } },
    ]);
    expect(new Date(all[1].run_at).getTime()).toBe(nextRunAt.getTime());
  });

  it('never runs a job twice when batches are claimed concurrently', async () => {
    const name = nameOf('concurrent');
    const runs = new Map<number, number>();
    jobs.register(name, async (payload: { i: number }) => {
      runs.set(payload.i, (runs.get(payload.i) ?? 0) + 1);
      await t.db.query('SELECT pg_sleep(0.005)');
    });
    const n = 40;
    await t.db.transaction(async () => {
      for (let i = 0; i < n; i++) await jobs.enqueue(name, { i });
    });
    await Promise.all([worker.drain(), worker.drain(), worker.drain(), worker.drain()]);
    expect(runs.size).toBe(n);
    expect([...runs.values()].every((c) => c === 1)).toBe(true);
    const all = await rows(name);
    expect(all.every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
  });

  it('takes over a job whose worker died, and buries it when that was the last attempt', async () => {
    const name = nameOf('orphan');
    let calls = 0;
    jobs.register(name, () => Promise.resolve(void calls++));
    const retry = await jobs.enqueue(name, { k: 'retry' }, { maxAttempts: 3 });
    const last = await jobs.enqueue(name, { k: 'last' }, { maxAttempts: 3 });
    // As if a worker had claimed both and died mid-attempt.
    await t.db.query(
      `UPDATE job SET status = 'running', attempts = 1, locked_until = now() + interval '5 minutes' WHERE id = $1`,
      [retry],
    );
    await t.db.query(
      `UPDATE job SET status = 'running', attempts = 3, locked_until = now() + interval '5 minutes' WHERE id = $1`,
      [last],
    );
    await worker.drain();
    expect(calls).toBe(0); // still locked
    await worker.drain(later(10 * 60_000));
    expect(calls).toBe(1);
    const byId = new Map((await rows(name)).map((r) => [r.id, r]));
    expect(byId.get(retry)).toMatchObject({ status: 'done', attempts: 2 });
    expect(byId.get(last)).toMatchObject({
      status: 'dead',
      attempts: 4,
      last_error: 'Error: the worker stopped during the last attempt',
    });
  });

  it('discards a run whose job was taken over meanwhile', async () => {
    const name = nameOf('taken-over');
    const sideEffect = nameOf('taken-over-effect');
    let calls = 0;
    jobs.register(name, async () => {
      calls++;
      await jobs.enqueue(sideEffect, {});
      // As if the lock had expired and another worker had claimed the job during this attempt.
      if (calls === 1) await t.db.query('UPDATE job SET attempts = attempts + 1 WHERE name = $1', [name]);
    });
    const id = await jobs.enqueue(name, {});
    await worker.drain();
    expect(calls).toBe(1);
    expect(await rows(name)).toMatchObject([{ id, status: 'running', attempts: 1, last_error: null }]);
    expect(await rows(sideEffect)).toHaveLength(0);
    await worker.drain(later(10 * 60_000));
    expect(calls).toBe(2);
    expect(await rows(name)).toMatchObject([{ id, status: 'done', attempts: 2 }]);
    expect(await rows(sideEffect)).toHaveLength(1);
  });

  it('refuses to claim inside an open transaction and rejects bad input', async () => {
    await expect(t.db.transaction(() => worker.runDueJobs())).rejects.toThrow(/inside a transaction/);
    await expect(jobs.enqueue('Bad Name', {})).rejects.toThrow(/must match/);
    await expect(jobs.enqueue(nameOf('x'), {}, { maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
    await expect(jobs.enqueue(nameOf('x'), {}, { runAt: new Date('nope') })).rejects.toThrow(/runAt/);
    expect(() => jobs.register(nameOf('ok'), () => Promise.resolve())).toThrow(/already registered/);
    expect(await rows(nameOf('x'))).toHaveLength(0);
  });

  it('polls when started and waits for the running batch when stopped', async () => {
    const name = nameOf('polled');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started = false;
    jobs.register(name, async () => {
      started = true;
      await gate;
    });
    await jobs.enqueue(name, {});
    worker.start();
    try {
      for (let i = 0; i < 100 && !started; i++) await new Promise((r) => setTimeout(r, 20));
      expect(started).toBe(true);
      let stopped = false;
      const stopping = worker.stop().then(() => (stopped = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(stopped).toBe(false); // waits for the handler
      release();
      await stopping;
    } finally {
      release();
      await worker.stop();
    }
    expect(await rows(name)).toMatchObject([{ status: 'done' }]);
    // Stopped: a new job stays pending.
    await jobs.enqueue(name, {});
    await new Promise((r) => setTimeout(r, 200));
    expect((await rows(name)).map((r) => r.status)).toEqual(['done', 'pending']);
    await worker.drain();
  });

  describe('GET /v1/admin/jobs', () => {
    const listName = nameOf('listed');
    let ids: string[];

    beforeAll(async () => {
      ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await jobs.enqueue(listName, { secret: 'citizen data' }, { runAt: later(HOUR) }));
        // UUIDv7 orders by millisecond only (random bits within one), so keep the three apart.
        await new Promise((r) => setTimeout(r, 3));
      }
    });

    it('lists jobs newest first, without payloads, page by page', async () => {
      const token = await scopedToken(t, 'staff', ['jobs:admin']);
      const first = await t.http
        .get(`/v1/admin/jobs?name=${listName}&limit=2`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(first.body.items.map((j: { id: string }) => j.id)).toEqual([ids[2], ids[1]]);
      expect(first.body.items[0]).toMatchObject({
        name: listName,
        status: 'pending',
        attempts: 0,
        maxAttempts: 12,
        lastError: null,
      });
      expect(first.body.items[0]).not.toHaveProperty('payload');
      expect(JSON.stringify(first.body)).not.toContain('citizen data');
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.http
        .get(`/v1/admin/jobs?name=${listName}&limit=2&cursor=${first.body.nextCursor}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
      const done = await t.http
        .get(`/v1/admin/jobs?name=${listName}&status=done`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(done.body.items).toEqual([]);
    });

    it('refuses callers without jobs:admin and bad filters', async () => {
      await t.http.get('/v1/admin/jobs').expect(401);
      const other = await scopedToken(t, 'staff', ['audit:read']);
      await t.http.get('/v1/admin/jobs').set('Authorization', `Bearer ${other}`).expect(403);
      const token = await scopedToken(t, 'staff', ['jobs:admin']);
      const bad = await t.http
        .get('/v1/admin/jobs?status=stuck&limit=1000')
        .set('Authorization', `Bearer ${token}`)
        .expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
        '/limit',
        '/status',
      ]);
    });
  });
});
