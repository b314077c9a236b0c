import { randomUUID } from 'node:crypto';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { auth, makeUnit, Person, signedInStaff } from '../identity/staff-fixtures';
import { applicationSteps, as, publishedService } from '../public/applications-helpers';
import { samples } from '../support/sample-files';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { serviceContent } from '../support/workflow-fixtures';

/**
 * Idempotency-Key beyond creating POSTs: uploads (the key bound to the bytes), and the staff writes
 * a console retries after a timeout (case actions, work-queue operations, catalogue transitions),
 * on REST and on their GraphQL twins. A retry gets the first answer, never a 409 and never a second
 * effect; effects are counted in SQL.
 */
describe('Idempotency-Key on uploads and staff writes', () => {
  let t: TestApp;
  let X: string;
  let serviceId: string;
  let alice: Citizen;
  let clerk: Person;
  const staff = signedInStaff(() => t);
  const steps = applicationSteps(() => t);
  const key = () => `w-${randomUUID()}`;
  const count = async (sql: string, params: unknown[]) =>
    Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params))[0].n);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '幂等市局');
    X = await makeUnit(t, '幂等甲区', root);
    serviceId = await publishedService(t, X);
    alice = await signedInCitizen(t);
    clerk = await staff.person(X, [{ role: RoleName.Clerk, unit: X }]);
  });
  afterAll(() => t.close());

  describe('POST /v1/files', () => {
    const upload = (k: string | null, body: Buffer, type = 'application/pdf', name = 'scan.pdf') => {
      const req = t.http.post('/v1/files').set(as(alice));
      if (k !== null) req.set('Idempotency-Key', k);
      return req.attach('file', body, { filename: name, contentType: type });
    };
    const myFiles = () => count('stored_file WHERE uploader_id = $1', [alice.id]);

    it('returns the same file to a retry with the same key and bytes, and stores it once', async () => {
      const k = key();
      const before = await myFiles();
      const first = await upload(k, samples.pdf()).expect(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await upload(k, samples.pdf()).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await myFiles()).toBe(before + 1);
      expect(await count('idempotency_key WHERE "key" = $1', [k])).toBe(1);
      // One file row for the key's caller with these bytes.
      expect(await count('stored_file WHERE uploader_id = $1 AND id = $2', [alice.id, first.body.id])).toBe(
        1,
      );
    });

    it('refuses other bytes, or the same bytes under another name, with 422 under the key; stores nothing', async () => {
      const k = key();
      await upload(k, samples.pdf()).expect(201);
      const before = await myFiles();
      const png = await upload(k, samples.png(), 'image/png', 'scan.png').expect(422);
      expect(png.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const renamed = await upload(k, samples.pdf(), 'application/pdf', 'other.pdf').expect(422);
      expect(renamed.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await myFiles()).toBe(before);
    });

    it('without a key stores every upload; a malformed key is 400 before a byte is stored', async () => {
      const before = await myFiles();
      const a = await upload(null, samples.pdf()).expect(201);
      const b = await upload(null, samples.pdf()).expect(201);
      expect(a.body.id).not.toBe(b.body.id);
      const bad = await upload('not a key', samples.pdf()).expect(400);
      expect(bad.body.code).toBe('IDEMPOTENCY_KEY_INVALID');
      expect(await myFiles()).toBe(before + 2);
    });

    it('keeps no record of a refused upload: the key runs again with acceptable bytes', async () => {
      const k = key();
      const refused = await upload(k, Buffer.from('MZ not a document'), 'application/pdf').expect(415);
      expect(refused.body.code).toBe('FILE_REJECTED');
      expect(await count('idempotency_key WHERE "key" = $1', [k])).toBe(0);
      const ok = await upload(k, samples.pdf()).expect(201);
      expect(ok.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('case actions', () => {
    const caseAction = (caseId: string, k: string, body: object = {}) =>
      t.http
        .post(`/v1/cases/${caseId}/actions/accept`)
        .set(staff.tok(clerk))
        .set('Idempotency-Key', k)
        .send(body);
    const accepts = (caseId: string) =>
      count(`case_event WHERE case_id = $1 AND action = 'accept'`, [caseId]);

    it('answers a retried action with the first answer (not 409), and acts once', async () => {
      const a = await steps.submitted(alice, serviceId);
      const c = await steps.caseOf(a.id);
      const k = key();
      const first = await caseAction(c.id, k).expect(200);
      expect(first.body.stage).toBe('review');
      const again = await caseAction(c.id, k).expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await accepts(c.id)).toBe(1);
      // A new key is a new request: accept is no longer available at this stage.
      expect((await caseAction(c.id, key()).expect(409)).body.code).toBe('INVALID_TRANSITION');
      expect(await accepts(c.id)).toBe(1);
    });

    it('GraphQL applyCaseAction takes idempotencyKey, and its REST twin replays the same key', async () => {
      const a = await steps.submitted(alice, serviceId);
      const c = await steps.caseOf(a.id);
      const k = key();
      const query = `mutation($id: ID!, $key: String) {
        applyCaseAction(id: $id, action: "accept", idempotencyKey: $key) { id stage version }
      }`;
      const gql = () =>
        t.http
          .post('/graphql')
          .set(staff.tok(clerk))
          .send({ query, variables: { id: c.id, key: k } });
      const first = await gql().expect(200);
      expect(first.body.errors).toBeUndefined();
      expect(first.body.data.applyCaseAction.stage).toBe('review');
      const again = await gql().expect(200);
      expect(again.body).toEqual(first.body);
      const rest = await caseAction(c.id, k).expect(200);
      expect(rest.headers['idempotent-replayed']).toBe('true');
      expect(rest.body).toMatchObject({ id: c.id, stage: 'review' });
      expect(await accepts(c.id)).toBe(1);
      const bad = await t.http
        .post('/graphql')
        .set(staff.tok(clerk))
        .send({ query, variables: { id: c.id, key: 'has spaces' } });
      expect(bad.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_INVALID');
    });
  });

  describe('work-queue operations', () => {
    it('answers a retried claim with the first answer (not 409), on REST and on claimTask', async () => {
      const a = await steps.submitted(alice, serviceId);
      const c = await steps.caseOf(a.id);
      const [task] = await t.db.query<{ id: string }>(
        `SELECT id FROM case_task WHERE case_id = $1 AND status = 'open'`,
        [c.id],
      );
      const k = key();
      const claim = () =>
        t.http.post(`/v1/tasks/${task.id}/claim`).set(staff.tok(clerk)).set('Idempotency-Key', k).send();
      const first = await claim().expect(200);
      expect(first.body.assignee.id).toBe(clerk.id);
      const again = await claim().expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      // Released by someone else meanwhile: the retry still answers what the claim did, and does not claim again.
      await t.http.post(`/v1/tasks/${task.id}/release`).set(staff.tok(clerk)).send().expect(200);
      const late = await claim().expect(200);
      expect(late.headers['idempotent-replayed']).toBe('true');
      const [row] = await t.db.query<{ assignee_id: string | null }>(
        'SELECT assignee_id FROM case_task WHERE id = $1',
        [task.id],
      );
      expect(row.assignee_id).toBeNull();

      // The GraphQL twin under a key of its own, then its REST twin under the same key.
      const k2 = key();
      const query = `mutation($id: ID!, $key: String) { claimTask(id: $id, idempotencyKey: $key) { id assignee { id } } }`;
      const gql = () =>
        t.http
          .post('/graphql')
          .set(staff.tok(clerk))
          .send({ query, variables: { id: task.id, key: k2 } });
      const g1 = await gql().expect(200);
      expect(g1.body.errors).toBeUndefined();
      expect(await gql().expect(200)).toMatchObject({ body: g1.body });
      const twin = await t.http
        .post(`/v1/tasks/${task.id}/claim`)
        .set(staff.tok(clerk))
        .set('Idempotency-Key', k2)
        .send()
        .expect(200);
      expect(twin.headers['idempotent-replayed']).toBe('true');
    });
  });

  describe('catalogue transitions', () => {
    it('answers a retried submit with the first answer (not 409), and transitions once', async () => {
      const token = await scopedToken(t, 'staff', ['catalog:manage', 'catalog:review', 'workflow:manage']);
      const created = await t.http
        .post('/v1/catalog/services')
        .set(auth(token))
        .send({
          organisationId: X,
          implementationCode: `IDEM-${randomUUID().slice(0, 8)}`,
          type: 'administrative_licence',
          target: 'person',
          draft: serviceContent(),
        })
        .expect(201);
      const id = created.body.id as string;
      const k = key();
      const submit = () =>
        t.http.post(`/v1/catalog/services/${id}/submit`).set(auth(token)).set('Idempotency-Key', k).send();
      const first = await submit();
      expect(first.status).toBe(200);
      const again = await submit().expect(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await count(`audit_leaf WHERE action = 'service.submit' AND resource_id = $1`, [id])).toBe(1);
      // Without the key, the same submit is a second request, refused in the state the first left.
      expect((await t.http.post(`/v1/catalog/services/${id}/submit`).set(auth(token)).send()).status).toBe(
        409,
      );
    });
  });
});
