import { RequestContext } from '../../src/api/context/request-context';
import { JobWorker } from '../../src/modules/platform/jobs/job-worker.service';
import {
  MAX_DELIVERY_ATTEMPTS,
  NotificationsService,
} from '../../src/modules/platform/notifications/notifications.service';
import { Citizen, signedInCitizen, uniqueEmail } from '../identity/citizen-fixtures';
import { startSmtpServer, TestSmtpServer } from '../support/smtp-server';
import { startTestApp, TestApp } from '../support/test-app';

interface OutboxRow {
  id: string;
  channel: string;
  recipient: string;
  status: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  language: string;
}

const HOUR = 3600_000;

describe('notifications: inbox, preferences, SMTP delivery', () => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let notifications: NotificationsService;
  let worker: JobWorker;
  const system = () => RequestContext.system('test');
  const outbox = (accountId: string) =>
    t.db.query<OutboxRow>(
      `SELECT * FROM notification_outbox WHERE account_id = $1 AND template NOT LIKE 'auth.%' ORDER BY id`,
      [accountId],
    );
  const inbox = (accountId: string) =>
    t.db.query<{ id: string; title: string; body: string; read_at: Date | null }>(
      'SELECT * FROM inbox_message WHERE account_id = $1 ORDER BY id',
      [accountId],
    );
  const auth = (c: Citizen) => ({ Authorization: `Bearer ${c.accessToken}` });
  /** A signed-in citizen with an e-mail address as well as the phone it registered with. */
  async function citizenWithEmail(): Promise<Citizen & { email: string }> {
    const c = await signedInCitizen(t);
    const email = uniqueEmail();
    await t.db.query('UPDATE account SET email = $1 WHERE id = $2', [email, c.id]);
    return { ...c, email };
  }
  const statusParams = { serviceName: '个体工商户<设立>登记', reference: 'R-2026-0001', status: '已受理' };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({
      NOTIFY_TRANSPORT: 'smtp',
      SMTP_URL: smtp.url,
      SMTP_FROM: 'OneWindow <noreply@gov.example>',
      SMTP_TIMEOUT_MS: '3000',
    });
    notifications = t.app.get(NotificationsService);
    worker = t.app.get(JobWorker);
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });
  beforeEach(() => {
    smtp.rcptHook = null;
  });

  describe('delivery over a real SMTP server', () => {
    it('sends the zh-CN e-mail (text and escaped HTML), marks the row sent and writes the inbox', async () => {
      const c = await citizenWithEmail();
      const res = await notifications.notify(system(), c.id, 'application.status_changed', statusParams, [
        'inapp',
        'email',
      ]);
      expect(res.outboxIds).toHaveLength(1);
      expect(res.inboxMessageId).toEqual(expect.any(String));
      const [queued] = await outbox(c.id);
      expect(queued).toMatchObject({
        channel: 'email',
        recipient: c.email,
        status: 'pending',
        language: 'zh-CN',
      });

      await worker.drain();
      const mail = smtp.messages.find((m) => m.to.includes(c.email));
      expect(mail).toBeDefined();
      expect(mail!.from).toBe('noreply@gov.example');
      expect(mail!.subject).toBe('办件状态更新：个体工商户<设立>登记');
      expect(mail!.text).toContain('受理编号 R-2026-0001');
      expect(mail!.text).toContain('已受理');
      expect(mail!.html).toContain('个体工商户&lt;设立&gt;登记');
      expect(mail!.html).not.toContain('<设立>');
      expect(mail!.headers['message-id']).toBe(`<${queued.id}@127.0.0.1>`);
      expect(smtp.logins).toContain('mailer');

      const [sent] = await outbox(c.id);
      expect(sent).toMatchObject({ status: 'sent', attempts: 1, last_error: null });
      expect(sent.sent_at).not.toBeNull();
      const [entry] = await inbox(c.id);
      expect(entry).toMatchObject({
        id: res.inboxMessageId,
        title: '办件状态更新：个体工商户<设立>登记',
        read_at: null,
      });
    });

    it('sends in English when the recipient reads English', async () => {
      const c = await citizenWithEmail();
      await notifications.notify(
        system(),
        c.id,
        'application.supplement_requested',
        {
          serviceName: 'Food licence',
          reference: 'R-9',
          reason: 'floor plan missing',
          deadline: '2026-12-10',
        },
        ['email', 'inapp'],
        { language: 'en' },
      );
      await worker.drain();
      const mail = smtp.messages.find((m) => m.to.includes(c.email));
      expect(mail!.subject).toBe('Documents needed: Food licence');
      expect(mail!.text).toBe(
        'Your application "Food licence" (reference R-9) needs more documents: floor plan missing. Please submit them all by 2026-12-10.',
      );
      expect(mail!.html).toContain('&quot;Food licence&quot;');
      expect((await outbox(c.id))[0]).toMatchObject({ status: 'sent', language: 'en' });
      expect((await inbox(c.id))[0].title).toBe('Documents needed: Food licence');
    });

    it('retries a temporarily refused recipient with backoff, then fails without keeping personal data', async () => {
      const c = await citizenWithEmail();
      smtp.rcptHook = (a) =>
        a.address === c.email
          ? Object.assign(new Error(`mailbox ${c.email} busy`), { responseCode: 451 })
          : null;
      await notifications.notify(
        system(),
        c.id,
        'licence.issued',
        {
          licenceName: '营业执照',
          licenceNumber: '91110000123456789X',
          verificationCode: 'ABCD-1234',
        },
        ['email'],
      );

      await worker.runDueJobs();
      const [first] = await outbox(c.id);
      expect(first).toMatchObject({ status: 'pending', attempts: 1 });
      expect(first.last_error).toMatch(/451/);
      // the retry waits for its backoff: running what is due now does not touch it
      await worker.drain();
      expect((await outbox(c.id))[0]).toMatchObject({ status: 'pending', attempts: 1 });

      // jump the clock far enough for every backoff
      await worker.drain(new Date(Date.now() + 6 * HOUR));
      const [failed] = await outbox(c.id);
      expect(failed.status).toBe('failed');
      expect(failed.attempts).toBe(MAX_DELIVERY_ATTEMPTS);
      expect(failed.last_error).toMatch(/451/);
      expect(failed.last_error).not.toContain(c.email);
      expect(failed.last_error).not.toContain(c.email.split('@')[0]);
      expect(smtp.messages.find((m) => m.to.includes(c.email))).toBeUndefined();
    });

    it('gives up at once on a permanent refusal (5xx)', async () => {
      const c = await citizenWithEmail();
      smtp.rcptHook = (a) =>
        a.address === c.email ? Object.assign(new Error('no such user'), { responseCode: 550 }) : null;
      await notifications.notify(system(), c.id, 'application.status_changed', statusParams, ['email']);
      await worker.drain();
      const [row] = await outbox(c.id);
      expect(row).toMatchObject({ status: 'failed', attempts: 1 });
      expect(row.last_error).toContain('550');
      expect(row.last_error).not.toContain(c.email);
    });

    it('queues SMS for an account with a phone and sends it through the SMS provider', async () => {
      const c = await signedInCitizen(t);
      const res = await notifications.notify(system(), c.id, 'application.status_changed', statusParams, [
        'sms',
        'email',
      ]);
      // no e-mail address on this account: only the SMS is queued, and no inbox entry was asked for
      expect(res.inboxMessageId).toBeNull();
      const rows = (await outbox(c.id)).filter((r) => r.channel !== 'inapp' && r.id === res.outboxIds[0]);
      expect(res.outboxIds).toHaveLength(1);
      expect(rows[0]).toMatchObject({ channel: 'sms', recipient: c.phone });
      await worker.drain();
      expect((await outbox(c.id)).find((r) => r.id === res.outboxIds[0])).toMatchObject({ status: 'sent' });
    });

    it("commits nothing when the caller's transaction rolls back", async () => {
      const c = await citizenWithEmail();
      await expect(
        t.db.transaction(async () => {
          await notifications.notify(system(), c.id, 'application.status_changed', statusParams, [
            'inapp',
            'email',
          ]);
          throw new Error('decision failed');
        }),
      ).rejects.toThrow('decision failed');
      expect(await outbox(c.id)).toHaveLength(0);
      expect(await inbox(c.id)).toHaveLength(0);
    });
  });

  describe('preferences', () => {
    it('defaults to every channel on, and notify() honours a channel turned off', async () => {
      const c = await citizenWithEmail();
      await t.http
        .get('/v1/me/notification-preferences')
        .set(auth(c))
        .expect(200, { inapp: true, email: true, sms: true });
      const put = await t.http
        .put('/v1/me/notification-preferences')
        .set(auth(c))
        .send({ email: false, sms: true })
        .expect(200);
      expect(put.body).toEqual({ inapp: true, email: false, sms: true });
      const rows = await t.db.query<{ channel: string; enabled: boolean }>(
        'SELECT channel, enabled FROM notification_preference WHERE account_id = $1 ORDER BY channel',
        [c.id],
      );
      expect(rows).toEqual(
        expect.arrayContaining([
          { channel: 'email', enabled: false },
          { channel: 'sms', enabled: true },
        ]),
      );

      const res = await notifications.notify(system(), c.id, 'application.status_changed', statusParams, [
        'inapp',
        'email',
        'sms',
      ]);
      const queued = await outbox(c.id);
      expect(queued.map((r) => r.channel)).toEqual(['sms']);
      expect(res.inboxMessageId).not.toBeNull(); // the inbox cannot be turned off
      await t.http
        .get('/v1/me/notification-preferences')
        .set(auth(c))
        .expect(200, { inapp: true, email: false, sms: true });
    });

    it('refuses bad bodies and anonymous callers, changing nothing', async () => {
      const c = await signedInCitizen(t);
      for (const body of [
        { email: true, sms: true, inapp: false },
        { email: 'yes', sms: true },
        { email: true },
        { email: true, sms: true, fax: true },
      ]) {
        const res = await t.http.put('/v1/me/notification-preferences').set(auth(c)).send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
      expect(
        await t.db.query('SELECT 1 FROM notification_preference WHERE account_id = $1', [c.id]),
      ).toHaveLength(0);
      await t.http.get('/v1/me/notification-preferences').expect(401);
      await t.http.put('/v1/me/notification-preferences').send({ email: true, sms: true }).expect(401);
    });
  });

  describe('inbox over REST', () => {
    let owner: Citizen;
    let other: Citizen;
    const ids: string[] = [];

    beforeAll(async () => {
      owner = await signedInCitizen(t);
      other = await signedInCitizen(t);
      for (const reference of ['A-1', 'A-2', 'A-3']) {
        const res = await notifications.notify(
          system(),
          owner.id,
          'application.status_changed',
          {
            ...statusParams,
            reference,
          },
          ['inapp'],
          { link: `/applications/${reference}` },
        );
        ids.push(res.inboxMessageId!);
      }
    });

    it('pages newest first and counts unread', async () => {
      const p1 = await t.http.get('/v1/me/notifications?limit=2').set(auth(owner)).expect(200);
      expect(p1.body.items.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]]);
      expect(p1.body.items[0]).toMatchObject({
        template: 'application.status_changed',
        title: '办件状态更新：个体工商户<设立>登记',
        link: '/applications/A-3',
        readAt: null,
      });
      expect(p1.body.items[0].body).toContain('A-3');
      expect(p1.body.nextCursor).toEqual(expect.any(String));
      const p2 = await t.http
        .get(`/v1/me/notifications?limit=2&cursor=${p1.body.nextCursor}`)
        .set(auth(owner))
        .expect(200);
      expect(p2.body.items.map((m: { id: string }) => m.id)).toEqual([ids[0]]);
      expect(p2.body.nextCursor).toBeNull();
      await t.http.get('/v1/me/notifications/unread-count').set(auth(owner)).expect(200, { count: 3 });
      // the other citizen sees none of it
      const theirs = await t.http.get('/v1/me/notifications').set(auth(other)).expect(200);
      expect(theirs.body.items).toEqual([]);
      await t.http.get('/v1/me/notifications/unread-count').set(auth(other)).expect(200, { count: 0 });
    });

    it('marks one read (idempotently), filters unread, and marks all read', async () => {
      const read = await t.http.post(`/v1/me/notifications/${ids[1]}/read`).set(auth(owner)).expect(200);
      expect(read.body.id).toBe(ids[1]);
      expect(read.body.readAt).toEqual(expect.any(String));
      const again = await t.http.post(`/v1/me/notifications/${ids[1]}/read`).set(auth(owner)).expect(200);
      expect(again.body.readAt).toBe(read.body.readAt);
      await t.http.get('/v1/me/notifications/unread-count').set(auth(owner)).expect(200, { count: 2 });
      const unread = await t.http.get('/v1/me/notifications?unread=true').set(auth(owner)).expect(200);
      expect(unread.body.items.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[0]]);

      await t.http.post('/v1/me/notifications/read-all').set(auth(owner)).expect(200, { updated: 2 });
      await t.http.get('/v1/me/notifications/unread-count').set(auth(owner)).expect(200, { count: 0 });
      expect((await inbox(owner.id)).every((m) => m.read_at !== null)).toBe(true);
      await t.http.post('/v1/me/notifications/read-all').set(auth(owner)).expect(200, { updated: 0 });
    });

    it("answers another citizen's message as not found and leaves it untouched", async () => {
      const fresh = await notifications.notify(
        system(),
        owner.id,
        'application.status_changed',
        statusParams,
        ['inapp'],
      );
      const res = await t.http
        .post(`/v1/me/notifications/${fresh.inboxMessageId}/read`)
        .set(auth(other))
        .expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
      await t.http
        .post('/v1/me/notifications/01900000-0000-7000-8000-000000000000/read')
        .set(auth(owner))
        .expect(404);
      const [row] = await t.db.query<{ read_at: Date | null }>(
        'SELECT read_at FROM inbox_message WHERE id = $1',
        [fresh.inboxMessageId],
      );
      expect(row.read_at).toBeNull();
      await t.http.post('/v1/me/notifications/read-all').set(auth(other)).expect(200, { updated: 0 });
      const [still] = await t.db.query<{ read_at: Date | null }>(
        'SELECT read_at FROM inbox_message WHERE id = $1',
        [fresh.inboxMessageId],
      );
      expect(still.read_at).toBeNull();
    });

    it('refuses anonymous callers and bad input', async () => {
      await t.http.get('/v1/me/notifications').expect(401);
      await t.http.get('/v1/me/notifications/unread-count').expect(401);
      await t.http.post(`/v1/me/notifications/${ids[0]}/read`).expect(401);
      await t.http.post('/v1/me/notifications/read-all').expect(401);
      await t.http.post('/v1/me/notifications/not-a-uuid/read').set(auth(owner)).expect(400);
      for (const q of [
        'unread=maybe',
        'limit=0',
        'limit=101',
        'cursor=%25%25',
        'cursor=bm9wZQ',
        'colour=red',
      ]) {
        const res = await t.http.get(`/v1/me/notifications?${q}`).set(auth(owner));
        expect([q, res.status]).toEqual([q, 400]);
      }
    });
  });

  describe('inbox over GraphQL', () => {
    const gql = (query: string, variables: Record<string, unknown>, token?: string) => {
      const req = t.http.post('/graphql').set('Content-Type', 'application/json');
      if (token) req.set('Authorization', `Bearer ${token}`);
      return req.send({ query, variables });
    };

    it('lists my notifications as a connection and marks one read', async () => {
      const me = await signedInCitizen(t);
      const stranger = await signedInCitizen(t);
      const a = await notifications.notify(
        system(),
        me.id,
        'licence.issued',
        {
          licenceName: '食品经营许可证',
          licenceNumber: 'JY1',
          verificationCode: 'V1',
        },
        ['inapp'],
      );
      const b = await notifications.notify(system(), me.id, 'application.status_changed', statusParams, [
        'inapp',
      ]);
      const list = await gql(
        `query($first: Int!, $unread: Boolean) { myNotifications(first: $first, unread: $unread) {
           edges { cursor node { id title readAt } } pageInfo { hasNextPage endCursor } } }`,
        { first: 1, unread: true },
        me.accessToken,
      ).expect(200);
      expect(list.body.errors).toBeUndefined();
      expect(list.body.data.myNotifications.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
        b.inboxMessageId,
      ]);
      expect(list.body.data.myNotifications.pageInfo.hasNextPage).toBe(true);

      const mark = `mutation($id: ID!) { markNotificationRead(id: $id) { id readAt } }`;
      const denied = await gql(mark, { id: a.inboxMessageId }, stranger.accessToken).expect(200);
      expect(denied.body.errors[0].extensions.code).toBe('NOT_FOUND');
      const ok = await gql(mark, { id: a.inboxMessageId }, me.accessToken).expect(200);
      expect(ok.body.errors).toBeUndefined();
      expect(ok.body.data.markNotificationRead.readAt).toEqual(expect.any(String));
      const anon = await gql(`{ myNotifications { edges { cursor } } }`, {});
      expect(anon.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    });
  });
});
