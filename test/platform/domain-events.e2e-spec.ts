import { randomUUID } from 'node:crypto';
import { contextStore } from '../../src/api/context/context-store';
import { RequestContext } from '../../src/api/context/request-context';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { JobsService } from '../../src/modules/platform/jobs/jobs.service';
import { S } from '../../src/modules/platform/events/event-catalogue';
import { EventDeliveryWorker, LOCK_SECONDS } from '../../src/modules/platform/events/event-delivery.worker';
import { EventsAdminService } from '../../src/modules/platform/events/events-admin.service';
import { EventsService, PublishedEvent } from '../../src/modules/platform/events/events.service';
import { APPLICANT_NOTICES } from '../../src/modules/public/applications/application-events';
import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { makeUnit, Person, signedInStaff } from '../identity/staff-fixtures';
import { applicationSteps, as, publishedService } from '../public/applications-helpers';
import { drained } from '../support/events';
import { onPostgres, startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

const HOUR = 3600_000;
const later = (ms: number) => new Date(Date.now() + ms);

interface DeliveryRow {
  subscriber: string;
  event_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

/**
 * Domain events (issue 12 §2): the outbox commits with the write, in-process subscribers run after
 * the commit, durable subscribers get every event at least once, in order per aggregate, with
 * retries, and their effects happen once. Test subscribers record their effect as a job row (a
 * transactional write no worker runs: no handler is registered for its name).
 */
describe('domain events', () => {
  let t: TestApp;
  let events: EventsService;
  let worker: EventDeliveryWorker;
  let jobs: JobsService;
  const tag = randomUUID().slice(0, 8);
  const TYPE = `test.pinged_${tag.replace(/[^a-z]/g, 'x')}`;
  const effectName = (subscriber: string) => `test.effect-${tag}-${subscriber}`;
  const system = () => RequestContext.system('test');
  const ping = (aggregateId: string, n: number) =>
    contextStore.run(system(), () =>
      events.publish(system(), { type: TYPE, aggregate: { type: 'test', id: aggregateId }, payload: { n } }),
    );
  /** The effects a subscriber committed, in the order they committed. */
  const effects = async (subscriber: string) =>
    (
      await t.db.query<{ payload: { eventId: string; aggregateId: string; n: number } }>(
        'SELECT payload FROM job WHERE name = $1 ORDER BY created_at, id',
        [effectName(subscriber)],
      )
    ).map((r) => r.payload);
  const deliveries = (subscriber: string) =>
    t.db.query<DeliveryRow>(
      `SELECT d.subscriber, d.event_id, d.status, d.attempts, d.last_error FROM event_delivery d
       JOIN domain_event e ON e.id = d.event_id WHERE d.subscriber = $1 ORDER BY e.occurred_at, e.sequence`,
      [subscriber],
    );
  /** A durable subscriber whose effect is a job row written in its transaction; `before` may throw. */
  const subscriber = (
    name: string,
    before: (e: PublishedEvent<{ n: number }>, call: number) => Promise<void> | void = () => undefined,
    maxAttempts?: number,
  ) => {
    let calls = 0;
    events.durableSubscribe<{ n: number }>(
      name,
      TYPE,
      async (e) => {
        calls++;
        await jobs.enqueue(
          effectName(name),
          { eventId: e.id, aggregateId: e.aggregate.id, n: e.payload.n },
          { runAt: later(365 * 24 * HOUR) },
        );
        await before(e, calls);
      },
      { maxAttempts },
    );
    return { calls: () => calls };
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    events = t.app.get(EventsService);
    worker = t.app.get(EventDeliveryWorker);
    jobs = t.app.get(JobsService);
    events.catalogue.register({
      type: TYPE,
      version: 1,
      description: 'a test ping',
      schema: S.object({ n: { type: 'integer', minimum: 0 } }),
    });
  });
  afterAll(async () => {
    await t.db.query(`DELETE FROM job WHERE name LIKE $1`, [`test.effect-${tag}-%`]);
    await t.close();
  });

  describe('the outbox and in-process subscribers', () => {
    const seen: Array<{ id: string; inTransaction: boolean; committed: number }> = [];

    beforeAll(() => {
      events.subscribe(TYPE, async (e) => {
        const [{ n }] = await t.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM domain_event WHERE id = $1',
          [e.id],
        );
        seen.push({ id: e.id, inTransaction: !!contextStore.transaction(), committed: n });
      });
      events.subscribe(TYPE, () => {
        throw new Error('a broken in-process subscriber');
      });
    });

    it('writes the event with the transaction and runs in-process subscribers after its commit', async () => {
      const aggregate = randomUUID();
      const before = seen.length;
      const published = await contextStore.run(system(), () =>
        t.db.transaction(async () => {
          const e = await events.publish(system(), {
            type: TYPE,
            aggregate: { type: 'test', id: aggregate },
            payload: { n: 1 },
          });
          const again = await events.publish(system(), {
            type: TYPE,
            aggregate: { type: 'test', id: aggregate },
            payload: { n: 2 },
          });
          // Not yet: the transaction is open.
          expect(seen.length).toBe(before);
          return [e, again];
        }),
      );
      // After the commit, outside any transaction, the row visible; the broken subscriber did not
      // reach the caller.
      expect(seen.slice(before)).toEqual([
        { id: published[0].id, inTransaction: false, committed: 1 },
        { id: published[1].id, inTransaction: false, committed: 1 },
      ]);
      const rows = await t.db.query<Record<string, unknown>>(
        'SELECT type, version, aggregate_type, sequence, payload, actor_kind, actor_id FROM domain_event WHERE aggregate_id = $1 ORDER BY sequence',
        [aggregate],
      );
      expect(rows).toEqual([
        {
          type: TYPE,
          version: 1,
          aggregate_type: 'test',
          sequence: 1,
          payload: { n: 1 },
          actor_kind: 'system',
          actor_id: 'test',
        },
        expect.objectContaining({ sequence: 2, payload: { n: 2 } }),
      ]);
    });

    it('leaves nothing behind, and tells no one, when the write rolls back', async () => {
      const aggregate = randomUUID();
      const before = seen.length;
      await expect(
        contextStore.run(system(), () =>
          t.db.transaction(async () => {
            await events.publish(system(), {
              type: TYPE,
              aggregate: { type: 'test', id: aggregate },
              payload: { n: 1 },
            });
            throw new Error('the write failed');
          }),
        ),
      ).rejects.toThrow('the write failed');
      expect(seen.length).toBe(before);
      expect(await t.db.query('SELECT 1 FROM domain_event WHERE aggregate_id = $1', [aggregate])).toEqual([]);
    });

    it('writes the events of one transaction together at its commit: each aggregate in order, in two statements', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      // b already has an event: the batch continues its numbering.
      await ping(b, 0);
      let sent = (): string[] => [];
      const published = await contextStore.run(system(), () =>
        t.db.transaction(async (m) => {
          // Calls through: records what the events service sends on the transaction's manager.
          const spy = jest.spyOn(m, 'query');
          sent = () => spy.mock.calls.map(([sql]) => sql);
          const out: PublishedEvent[] = [];
          for (const [id, n] of [
            [a, 1],
            [b, 1],
            [a, 2],
          ] as const)
            out.push(
              await events.publish(system(), { type: TYPE, aggregate: { type: 'test', id }, payload: { n } }),
            );
          // Queued, not written yet: nothing in the outbox and no statement sent.
          expect(sent()).toEqual([]);
          expect(out.map((e) => e.sequence)).toEqual([0, 0, 0]);
          return out;
        }),
      );
      // One statement for the aggregates' locks, one for the three events and their deliveries.
      const statements = sent();
      expect(statements).toHaveLength(2);
      expect(statements[0]).toMatch(
        /pg_advisory_xact_lock\(hashtext\(k\)\) FROM unnest\(\$1::text\[\]\) AS k ORDER BY k/,
      );
      expect(statements[1]).toMatch(/INSERT INTO domain_event/);
      // The returned events carry their sequence once committed.
      expect(published.map((e) => e.sequence)).toEqual([1, 2, 2]);
      const rows = await t.db.query<{
        id: string;
        aggregate_id: string;
        sequence: number;
        payload: { n: number };
      }>(
        'SELECT id, aggregate_id, sequence, payload FROM domain_event WHERE aggregate_id IN ($1, $2) ORDER BY aggregate_id = $2, sequence',
        [a, b],
      );
      expect(rows.map((r) => [r.aggregate_id, r.sequence, r.payload.n])).toEqual([
        [a, 1, 1],
        [a, 2, 2],
        [b, 1, 0],
        [b, 2, 1],
      ]);
      expect(rows.find((r) => r.aggregate_id === a && r.sequence === 2)!.id).toBe(published[2].id);
    });

    it('writes none of a batch when its transaction rolls back, even after the events were queued', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      const before = seen.length;
      await expect(
        contextStore.run(system(), () =>
          t.db.transaction(async () => {
            await events.publish(system(), {
              type: TYPE,
              aggregate: { type: 'test', id: a },
              payload: { n: 1 },
            });
            await events.publish(system(), {
              type: TYPE,
              aggregate: { type: 'test', id: b },
              payload: { n: 1 },
            });
            await events.publish(system(), {
              type: TYPE,
              aggregate: { type: 'test', id: a },
              payload: { n: 2 },
            });
            throw new Error('the write failed');
          }),
        ),
      ).rejects.toThrow('the write failed');
      expect(seen.length).toBe(before);
      expect(await t.db.query('SELECT 1 FROM domain_event WHERE aggregate_id IN ($1, $2)', [a, b])).toEqual(
        [],
      );
      // A later transaction of the same aggregates starts at 1: nothing of the batch was left queued.
      const e = await ping(a, 3);
      expect(e.sequence).toBe(1);
    });

    (onPostgres ? it : it.skip)(
      'commits two concurrent batches of the same aggregates, published in opposite orders, without a deadlock or a duplicate sequence',
      async () => {
        const [x, y] = [randomUUID(), randomUUID()];
        let arrived = 0;
        let release!: () => void;
        const bothPublished = new Promise<void>((r) => (release = r));
        const batch = (order: string[]) =>
          contextStore.run(system(), () =>
            t.db.transaction(async () => {
              for (const id of order)
                await events.publish(system(), {
                  type: TYPE,
                  aggregate: { type: 'test', id },
                  payload: { n: 1 },
                });
              // Both transactions hold their queued events before either commits.
              if (++arrived === 2) release();
              await bothPublished;
            }),
          );
        await Promise.all([batch([x, y]), batch([y, x])]);
        const rows = await t.db.query<{ aggregate_id: string; sequence: number }>(
          'SELECT aggregate_id, sequence FROM domain_event WHERE aggregate_id IN ($1, $2) ORDER BY aggregate_id = $2, sequence',
          [x, y],
        );
        expect(rows.map((r) => [r.aggregate_id, r.sequence])).toEqual([
          [x, 1],
          [x, 2],
          [y, 1],
          [y, 2],
        ]);
      },
    );

    it('refuses an unregistered type and a payload its schema refuses, writing nothing', async () => {
      const aggregate = randomUUID();
      const publish = (type: string, payload: Record<string, unknown>) =>
        contextStore.run(system(), () =>
          events.publish(system(), { type, aggregate: { type: 'test', id: aggregate }, payload }),
        );
      await expect(publish('test.unknown', { n: 1 })).rejects.toThrow(/not registered/);
      await expect(publish(TYPE, { n: -1 })).rejects.toThrow(/breaks its schema/);
      await expect(publish(TYPE, { n: 1, phone: '13812345678' })).rejects.toThrow(/additional properties/);
      await expect(publish(TYPE, {})).rejects.toThrow(/must have required property 'n'/);
      expect(await t.db.query('SELECT 1 FROM domain_event WHERE aggregate_id = $1', [aggregate])).toEqual([]);
    });
  });

  describe('durable subscribers', () => {
    it('retries a failing handler with backoff, keeps each aggregate in order, and has each effect once', async () => {
      const name = `test.flaky-${tag}`;
      const failed = new Set<string>();
      const sub = subscriber(name, (e) => {
        // The first event of aggregate X fails once, after writing its effect (rolled back).
        if (e.aggregate.id.endsWith('x') && e.payload.n === 1 && !failed.has(e.id)) {
          failed.add(e.id);
          throw new Error('downstream unavailable for 13812345678');
        }
      });
      const X = `${tag}-x`;
      const Y = `${tag}-y`;
      await ping(X, 1);
      await ping(X, 2);
      await ping(Y, 1);
      await drained(t.app);
      // X1 failed and waits for its backoff; X2 waits behind it; Y is not held up.
      expect((await effects(name)).map((e) => `${e.aggregateId.slice(-1)}${e.n}`)).toEqual(['y1']);
      const [x1, x2, y1] = await deliveries(name);
      expect(x1).toMatchObject({ status: 'pending', attempts: 1 });
      expect(x1.last_error).toBe('Error: downstream unavailable for [number]');
      expect(x2).toMatchObject({ status: 'pending', attempts: 0 });
      expect(y1).toMatchObject({ status: 'done', attempts: 1 });
      // Past the backoff: X1, then X2.
      await drained(t.app, later(HOUR));
      expect((await effects(name)).map((e) => `${e.aggregateId.slice(-1)}${e.n}`)).toEqual([
        'y1',
        'x1',
        'x2',
      ]);
      expect((await deliveries(name)).map((d) => [d.status, d.attempts])).toEqual([
        ['done', 2],
        ['done', 1],
        ['done', 1],
      ]);
      expect(sub.calls()).toBe(4);
      // Nothing is delivered twice.
      expect(await drained(t.app, later(2 * HOUR))).toBe(0);
      expect(await effects(name)).toHaveLength(3);
    });

    it('redelivers after the connection dies between handling and marking; the effect happens once', async () => {
      const name = `test.crashing-${tag}`;
      let crashed = false;
      subscriber(name, async () => {
        if (crashed) return;
        crashed = true;
        // The effect is written; the session ends before the delivery is marked and committed.
        if (onPostgres) await t.db.query('SELECT pg_terminate_backend(pg_backend_pid())');
        else throw new Error('Connection terminated unexpectedly');
      });
      await ping(`${tag}-c`, 1);
      await drained(t.app).catch(() => 0);
      expect(await effects(name)).toEqual([]);
      // Recorded as failed (pending, with a backoff), or, if that write was lost too, still
      // "running" until its lock expires: either way it is due again later.
      const [left] = await deliveries(name);
      expect(left.attempts).toBe(1);
      expect(['pending', 'running']).toContain(left.status);
      await drained(t.app, later(HOUR));
      expect(await effects(name)).toHaveLength(1);
      expect(await deliveries(name)).toMatchObject([{ status: 'done', attempts: 2 }]);
    });

    it('takes over a delivery whose worker died mid-run, once its lock has expired', async () => {
      const name = `test.orphaned-${tag}`;
      const sub = subscriber(name);
      const e = await ping(`${tag}-o`, 1);
      // A worker of another instance claimed it, then the process was killed.
      await t.db.query(
        `UPDATE event_delivery SET status = 'running', attempts = 1, locked_until = now() + make_interval(secs => $3)
         WHERE subscriber = $1 AND event_id = $2`,
        [name, e.id, LOCK_SECONDS],
      );
      // Still locked by the dead worker: not taken (the other test subscribers get theirs).
      await drained(t.app);
      expect(sub.calls()).toBe(0);
      await drained(t.app, new Date(Date.now() + (LOCK_SECONDS + 5) * 1000));
      expect(sub.calls()).toBe(1);
      expect(await effects(name)).toHaveLength(1);
      expect(await deliveries(name)).toMatchObject([{ status: 'done', attempts: 2 }]);
    });

    it('delivers right after the commit when the worker runs, without waiting for the next poll', async () => {
      const name = `test.prompt-${tag}`;
      subscriber(name);
      expect(t.config.jobs.pollMs).toBeGreaterThanOrEqual(1000);
      worker.start();
      try {
        // Let the first round (at start) finish: from then on only the poll timer or a kick runs.
        await new Promise((r) => setTimeout(r, 300));
        const started = Date.now();
        await ping(`${tag}-k`, 1);
        while ((await effects(name)).length === 0 && Date.now() - started < 5000)
          await new Promise((r) => setTimeout(r, 10));
        expect(await effects(name)).toHaveLength(1);
        expect(Date.now() - started).toBeLessThan(t.config.jobs.pollMs);
      } finally {
        await worker.stop();
      }
    });

    it('lets two workers (two instances on PostgreSQL) share the outbox without double delivery', async () => {
      const name = `test.shared-${tag}`;
      const handle = async () => new Promise<void>((r) => setTimeout(r, 5));
      subscriber(name, handle);
      const other = onPostgres ? await startTestApp() : null;
      try {
        if (other) {
          // The second instance runs the same code: the same type and subscriber, the same effect.
          const otherEvents = other.app.get(EventsService);
          const otherJobs = other.app.get(JobsService);
          otherEvents.catalogue.register(events.catalogue.list().find((d) => d.type === TYPE)!);
          otherEvents.durableSubscribe<{ n: number }>(name, TYPE, async (e) => {
            await otherJobs.enqueue(
              effectName(name),
              { eventId: e.id, aggregateId: e.aggregate.id, n: e.payload.n },
              { runAt: later(365 * 24 * HOUR) },
            );
            await handle();
          });
        }
        for (let n = 1; n <= 6; n++) for (const a of ['p', 'q', 'r']) await ping(`${tag}-${a}`, n);
        const second = other ? other.app.get(EventDeliveryWorker) : worker;
        await Promise.all([worker.drain(), second.drain(), worker.drain()]);
        const done = await effects(name);
        expect(done).toHaveLength(18);
        expect(new Set(done.map((e) => e.eventId)).size).toBe(18);
        for (const a of ['p', 'q', 'r'])
          expect(done.filter((e) => e.aggregateId.endsWith(a)).map((e) => e.n)).toEqual([1, 2, 3, 4, 5, 6]);
        expect((await deliveries(name)).every((d) => d.status === 'done' && d.attempts === 1)).toBe(true);
      } finally {
        await other?.close();
      }
    });
  });

  describe('applications publish with their writes, and the applicant is told by a durable subscriber', () => {
    let alice: Citizen;
    let clerk: Person;
    let serviceId: string;
    const staff = signedInStaff(() => t);
    const steps = applicationSteps(() => t);

    beforeAll(async () => {
      const X = await makeUnit(t, `事件${tag}区`);
      alice = await signedInCitizen(t);
      clerk = await staff.person(X, [{ role: RoleName.Clerk, unit: X }]);
      serviceId = await publishedService(t, X);
    });

    it('commits case and application events with the action, holding ids only, and notifies once after delivery', async () => {
      const a = await steps.submitted(alice, serviceId);
      const c = await steps.caseOf(a.id);
      const inbox = () =>
        t.db.query<{ template: string }>(
          'SELECT template FROM inbox_message WHERE account_id = $1 AND link = $2 ORDER BY created_at, id',
          [alice.id, `/applications/${a.id}`],
        );
      // Submission: the application's events and the case's start, written with the submit.
      const appEvents = await t.db.query<{
        type: string;
        sequence: number;
        payload: Record<string, unknown>;
      }>(
        `SELECT type, sequence, payload FROM domain_event WHERE aggregate_type = 'application' AND aggregate_id = $1 ORDER BY sequence`,
        [a.id],
      );
      expect(appEvents.map((e) => e.type)).toEqual(['application.submitted', 'application.status_changed']);
      expect(appEvents[1].payload).toEqual({
        applicationId: a.id,
        serviceId,
        caseId: c.id,
        caseEventId: expect.any(String),
        effect: 'started',
        from: 'submitted',
        to: 'submitted',
        licenceId: null,
        language: 'zh-CN',
      });
      // Not told yet: the notice is the durable subscriber's, delivered after the commit.
      expect(await inbox()).toEqual([]);
      expect(await deliveries(APPLICANT_NOTICES)).toEqual(
        expect.arrayContaining([expect.objectContaining({ status: 'pending' })]),
      );
      await drained(t.app);
      expect((await inbox()).map((m) => m.template)).toEqual(['application.status_changed']);

      await steps.act(staff.tok(clerk), a.id, 'accept');
      const caseEvents = await t.db.query<{
        type: string;
        sequence: number;
        payload: Record<string, unknown>;
      }>(
        `SELECT type, sequence, payload FROM domain_event WHERE aggregate_type = 'case' AND aggregate_id = $1 ORDER BY sequence`,
        [c.id],
      );
      expect(caseEvents.map((e) => [e.type, e.sequence, e.payload.action])).toEqual([
        ['case.transitioned', 1, 'started'],
        ['case.transitioned', 2, 'accept'],
      ]);
      expect(caseEvents[1].payload).toMatchObject({
        caseId: c.id,
        caseType: expect.any(String),
        subjectType: 'application',
        subjectId: a.id,
        effect: 'accept',
        status: 'open',
        public: expect.any(Boolean),
      });
      // A refused action (a citizen on a staff route) writes no event.
      await t.http.post(`/v1/cases/${c.id}/actions/accept`).set(as(alice)).send({}).expect(403);
      const [{ n }] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM domain_event WHERE aggregate_id IN ($1, $2)`,
        [a.id, c.id],
      );
      expect(n).toBe(5);

      await drained(t.app);
      await drained(t.app);
      expect((await inbox()).map((m) => m.template)).toEqual([
        'application.status_changed',
        'application.status_changed',
      ]);
      // No personal data in clear: the applicant's phone, the form's answers, names.
      const payloads = JSON.stringify(
        await t.db.query('SELECT payload FROM domain_event WHERE aggregate_id IN ($1, $2)', [a.id, c.id]),
      );
      for (const secret of [alice.phone, '13812345678', '张三', alice.id])
        expect(payloads).not.toContain(secret);
    });
  });

  describe('operations: GET /v1/admin/events/subscribers, dead deliveries, replay, retention', () => {
    const name = `test.doomed-${tag}`;
    let healthy = false;
    let eventId: string;
    let token: string;

    beforeAll(async () => {
      subscriber(
        name,
        () => {
          if (!healthy) throw new Error('always fails');
        },
        2,
      );
      eventId = (await ping(`${tag}-d`, 1)).id;
      await ping(`${tag}-d`, 2);
      await drained(t.app);
      await drained(t.app, later(HOUR));
      token = await scopedToken(t, 'staff', ['jobs:admin']);
    });

    it('shows each durable subscriber with its lag and dead deliveries, without payloads', async () => {
      const res = await t.http
        .get('/v1/admin/events/subscribers')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      const doomed = res.body.items.find((s: { name: string }) => s.name === name);
      expect(doomed).toEqual({
        name,
        types: [TYPE],
        pending: 1,
        running: 0,
        dead: 1,
        oldestOpenAt: expect.any(String),
        lagSeconds: expect.any(Number),
      });
      expect(res.body.items.map((s: { name: string }) => s.name)).toContain(APPLICANT_NOTICES);
      const dead = await t.http
        .get(`/v1/admin/events/dead?subscriber=${name}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(dead.body).toEqual({
        items: [
          {
            subscriber: name,
            eventId,
            type: TYPE,
            aggregateType: 'test',
            aggregateId: `${tag}-d`,
            sequence: 1,
            attempts: 2,
            lastError: 'Error: always fails',
            occurredAt: expect.any(String),
          },
        ],
      });
      expect(dead.body.items[0]).not.toHaveProperty('payload');
    });

    it('replays a dead delivery (audited); the events held behind it follow, in order', async () => {
      healthy = true;
      const url = `/v1/admin/events/subscribers/${name}/deliveries/${eventId}/replay`;
      const res = await t.http.post(url).set('Authorization', `Bearer ${token}`).expect(200);
      expect(res.body).toEqual({ subscriber: name, eventId, status: 'pending' });
      const again = await t.http.post(url).set('Authorization', `Bearer ${token}`).expect(409);
      expect(again.body.code).toBe('INVALID_TRANSITION');
      await t.http
        .post(`/v1/admin/events/subscribers/${name}/deliveries/${randomUUID()}/replay`)
        .set('Authorization', `Bearer ${token}`)
        .expect(404);
      await t.http
        .post(`/v1/admin/events/subscribers/${name}/deliveries/not-a-uuid/replay`)
        .set('Authorization', `Bearer ${token}`)
        .expect(400);
      expect(
        await t.db.query(`SELECT 1 FROM audit_leaf WHERE action = 'event.replay' AND resource_id = $1`, [
          eventId,
        ]),
      ).toHaveLength(1);
      await drained(t.app);
      expect((await effects(name)).map((e) => e.n)).toEqual([1, 2]);
      expect((await deliveries(name)).map((d) => d.status)).toEqual(['done', 'done']);
    });

    it('refuses callers without jobs:admin: no token 401, a citizen 403, a clerk 403', async () => {
      const citizen = await signedInCitizen(t);
      const X = await makeUnit(t, `事件运维${tag}`);
      const staff = signedInStaff(() => t);
      const clerk = await staff.person(X, [{ role: RoleName.Clerk, unit: X }]);
      const routes: Array<[method: 'get' | 'post', url: string]> = [
        ['get', '/v1/admin/events/subscribers'],
        ['get', '/v1/admin/events/dead'],
        ['post', `/v1/admin/events/subscribers/${name}/deliveries/${eventId}/replay`],
      ];
      for (const [method, url] of routes) {
        const none = await t.http[method](url).expect(401);
        expect(none.headers['content-type']).toMatch(/application\/problem\+json/);
        const byCitizen = await t.http[method](url).set(as(citizen)).expect(403);
        expect(byCitizen.body.code).toBe('FORBIDDEN');
        const byClerk = await t.http[method](url).set(staff.tok(clerk)).expect(403);
        expect(byClerk.body.code).toBe('FORBIDDEN');
      }
    });

    it('purges delivered events past the retention, keeping those still owed to a subscriber', async () => {
      const name2 = `test.stuck-${tag}`;
      subscriber(name2, () => {
        throw new Error('never');
      });
      const kept = await ping(`${tag}-k`, 1);
      const old = await ping(`${tag}-g`, 1);
      // Delivered to the subscribers that exist: mark the "old" one done for the stuck one too.
      await t.db.query(`UPDATE event_delivery SET status = 'done' WHERE event_id = $1`, [old.id]);
      await t.db.query(
        `UPDATE domain_event SET occurred_at = now() - interval '40 days' WHERE id IN ($1, $2)`,
        [kept.id, old.id],
      );
      const purged = await t.app.get(EventsAdminService).purge(30);
      expect(purged).toBeGreaterThanOrEqual(1);
      expect(await t.db.query('SELECT 1 FROM domain_event WHERE id = $1', [old.id])).toEqual([]);
      expect(await t.db.query('SELECT 1 FROM event_delivery WHERE event_id = $1', [old.id])).toEqual([]);
      expect(await t.db.query('SELECT 1 FROM domain_event WHERE id = $1', [kept.id])).toHaveLength(1);
    });
  });
});
