import { CaseFile } from '../../../src/modules/internal/workflow/case.entity';
import { Complaint } from '../../../src/modules/public/complaints/complaint.entity';
import { INTAKE_ACCOUNT_ID } from '../../../src/modules/public/complaints/complaints.service';
import { uniq } from '../../identity/staff-fixtures';
import { startTestApp, type TestApp } from '../../support/test-app';
import { complaintsCast, type ComplaintsCast, roadFiling } from './complaints-fixtures';

/**
 * Issue 13 §2, intake: filing on every channel (real-name, anonymous), the category's rules, the
 * duplicate rule and Idempotency-Key, and who may read an order and its complainant's identity.
 */
let t: TestApp;
let cast: ComplaintsCast;

interface Filed {
  id: string;
  number: string;
  trackingCode: string;
  duplicate: boolean;
}

const count = async (sql: string, params: unknown[] = []) =>
  Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params))[0].n);

async function file(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Filed> {
  const res = await t.http.post('/v1/complaints').set(headers).send(body);
  if (res.status !== 201) throw new Error(`file: ${res.status} ${res.text}`);
  return res.body as Filed;
}

beforeAll(async () => {
  t = await startTestApp();
  cast = await complaintsCast(t);
});

afterAll(() => t?.close());

describe('filing a work order', () => {
  it('files a real-name order: sealed contact, a complaint case at the dispatch centre, an event', async () => {
    const body = roadFiling(cast);
    const filed = await file(body, cast.tok(cast.citizen));
    expect(filed).toMatchObject({ duplicate: false });
    expect(filed.number).toMatch(/^GD\d{8}[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(filed.trackingCode).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    const raw = await t.db.query<Record<string, unknown>>('SELECT * FROM complaint WHERE id = $1', [
      filed.id,
    ]);
    expect(raw[0]).toMatchObject({
      complainant_account_id: cast.citizen.id,
      anonymous: false,
      dispatch_organisation_id: cast.units.hotline,
      handling_organisation_id: cast.units.hotline,
      status: 'open',
      extended_status: 'open',
      urgency: 'normal',
    });
    const sealed = JSON.stringify(raw[0]);
    expect(sealed).not.toContain('13912345678');
    expect(sealed).not.toContain('zhang.san');
    expect(String(raw[0].contact_enc)).toMatch(/^v1\./);
    const c = await t.db.repo(CaseFile).findOneByOrFail({ id: raw[0].case_id as string });
    expect(c).toMatchObject({
      caseType: 'complaint',
      subjectKey: cast.codes.road,
      subjectId: filed.id,
      number: filed.number,
      stage: 'intake',
      organisationId: cast.units.hotline,
      applicantAccountId: cast.citizen.id,
      limit: { amount: 13, unit: 'working_days' },
    });
    expect(c.dueAt).not.toBeNull();
    const events = await t.db.query<{ payload: Record<string, unknown> }>(
      "SELECT payload FROM domain_event WHERE type = 'complaint.filed' AND aggregate_id = $1",
      [filed.id],
    );
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0].payload)).not.toContain('1391234');
    expect(
      await count("inbox_message WHERE account_id = $1 AND template = 'complaint.filed'", [cast.citizen.id]),
    ).toBe(1);
  });

  it('answers the same text from the same filer with the first order, and replays an Idempotency-Key', async () => {
    const body = roadFiling(cast);
    const first = await file(body, cast.tok(cast.citizen));
    const again = await file(
      { ...body, description: `  ${String(body.description).toUpperCase()}  ` },
      cast.tok(cast.citizen),
    );
    expect(again).toEqual({ ...first, duplicate: true });
    // another citizen's identical text is their own order
    const other = await file(body, cast.tok(cast.stranger));
    expect(other.id).not.toBe(first.id);
    const key = `k-${uniq()}`;
    const fresh = roadFiling(cast);
    const a = await t.http
      .post('/v1/complaints')
      .set(cast.tok(cast.citizen))
      .set('Idempotency-Key', key)
      .send(fresh)
      .expect(201);
    const b = await t.http
      .post('/v1/complaints')
      .set(cast.tok(cast.citizen))
      .set('Idempotency-Key', key)
      .send(fresh)
      .expect(201);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.body).toEqual(a.body);
    await t.http
      .post('/v1/complaints')
      .set(cast.tok(cast.citizen))
      .set('Idempotency-Key', key)
      .send({ ...fresh, description: 'other' })
      .expect(422);
    expect(
      await count('complaint WHERE content_key = (SELECT content_key FROM complaint WHERE id = $1)', [
        a.body.id,
      ]),
    ).toBe(1);
  });

  it('refuses bad input with pointers and writes nothing', async () => {
    const before = await count('complaint');
    const cases = await count('case_file');
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ categoryCode: 'zz.nothing' }, '/categoryCode'],
      [{ categoryCode: 'Not A Code' }, '/categoryCode'],
      [{ long: undefined }, '/long'],
      [{ lat: 91 }, '/lat'],
      [{ urgency: 'whenever' }, '/urgency'],
      [{ channel: 'fax' }, '/channel'],
      [{ channel: 'hotline' }, '/channel'],
      [{ description: '' }, '/description'],
      [{ description: 'x'.repeat(4001) }, '/description'],
      [{ attributes: {} }, '/attributes/size'],
      [{ attributes: { size: 'huge' } }, '/attributes/size'],
      [{ attributes: { size: 'large', colour: 'red' } }, '/attributes/colour'],
      [{ mediaUrls: ['javascript:alert(1)'] }, '/mediaUrls'],
      [{ mediaFileIds: ['not-a-uuid'] }, '/mediaFileIds'],
      [{ email: 'nope' }, '/email'],
      [{ anonymous: 'yes' }, '/anonymous'],
      [{ sneaky: 1 }, '/sneaky'],
    ];
    for (const [over, pointer] of bad) {
      const res = await t.http
        .post('/v1/complaints')
        .set(cast.tok(cast.citizen))
        .send(roadFiling(cast, over));
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect((res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer)).toContain(pointer);
    }
    const res = await t.http
      .post('/v1/complaints')
      .set('Content-Type', 'application/json')
      .send('{"categoryCode":');
    expect(res.status).toBe(400);
    expect(await count('complaint')).toBe(before);
    expect(await count('case_file')).toBe(cases);
  });

  it('files anonymously: no identity kept (staff included), a tracking code to follow it', async () => {
    const filed = await file(roadFiling(cast, { anonymous: true }), cast.tok(cast.citizen));
    const row = await t.db.repo(Complaint).findOneOrFail({
      where: { id: filed.id },
      select: { id: true, contactEnc: true, complainantAccountId: true, anonymous: true, caseId: true },
    });
    expect(row).toMatchObject({ contactEnc: null, complainantAccountId: null, anonymous: true });
    const c = await t.db.repo(CaseFile).findOneByOrFail({ id: row.caseId! });
    expect(c.applicantAccountId).toBe(INTAKE_ACCOUNT_ID);
    const staffView = await t.http
      .get(`/v1/complaints/${filed.id}`)
      .set(cast.tok(cast.dispatcher))
      .expect(200);
    expect(staffView.body).toMatchObject({ anonymous: true, contact: null });
    await t.http
      .get(`/v1/complaints/${filed.id}?unmask=contact&reason=callback`)
      .set(cast.tok(cast.dispatcher))
      .expect(403);
    // the filer's own account does not see it either: it is not linked to them
    await t.http.get(`/v1/complaints/${filed.id}`).set(cast.tok(cast.citizen)).expect(404);
    const tracked = await t.http.get(`/v1/complaints/track/${filed.trackingCode.toLowerCase()}`).expect(200);
    expect(tracked.body).toMatchObject({ number: filed.number, status: 'open', extendedStatus: 'open' });
    expect(JSON.stringify(tracked.body)).not.toMatch(/1391234|zhang|张/);
    await t.http.get('/v1/complaints/track/0000000000000000').expect(404);
    await t.http.get(`/v1/complaints/track/${'x'.repeat(300)}`).expect(404);
    // without a token at all
    const anon = await file(roadFiling(cast, { anonymous: true, deviceId: `dev-${uniq()}` }));
    expect(anon.duplicate).toBe(false);
  });
});

describe('who sees an order and its complainant', () => {
  let filed: Filed;

  beforeAll(async () => {
    filed = await file(roadFiling(cast), cast.tok(cast.citizen));
  });

  it('shows the dispatch centre the contact masked, audited; unmasked on request, audited again', async () => {
    const masked = await t.http.get(`/v1/complaints/${filed.id}`).set(cast.tok(cast.dispatcher)).expect(200);
    expect(masked.body.contact).toEqual({
      name: '张*',
      email: expect.not.stringContaining('zhang.san'),
      phone: expect.not.stringContaining('12345'),
      masked: true,
    });
    const clear = await t.http
      .get(`/v1/complaints/${filed.id}?unmask=contact&reason=${encodeURIComponent('回访')}`)
      .set(cast.tok(cast.dispatcher))
      .expect(200);
    expect(clear.body.contact).toEqual({
      name: '张三',
      email: 'zhang.san@example.com',
      phone: '13912345678',
      masked: false,
    });
    const leaves = await t.db.query<{ action: string; actor_id: string; subject_id: string }>(
      "SELECT action, actor_id, subject_id FROM audit_leaf WHERE resource_id = $1 AND action IN ('complaint.read', 'complaint.unmask') ORDER BY seq",
      [filed.id],
    );
    expect(leaves).toEqual([
      { action: 'complaint.read', actor_id: cast.dispatcher.id, subject_id: cast.citizen.id },
      { action: 'complaint.unmask', actor_id: cast.dispatcher.id, subject_id: cast.citizen.id },
    ]);
  });

  it('keeps the identity from supervisors (masked, no unmask) and the order from other units and citizens', async () => {
    const sup = await t.http.get(`/v1/complaints/${filed.id}`).set(cast.tok(cast.supervisor)).expect(200);
    expect(sup.body.contact.masked).toBe(true);
    await t.http.get(`/v1/complaints/${filed.id}?unmask=contact`).set(cast.tok(cast.supervisor)).expect(403);
    // before dispatch the bureaus are strangers to it
    const notFound = await t.http
      .get(`/v1/complaints/${filed.id}`)
      .set(cast.tok(cast.handlerUrban))
      .expect(404);
    const missing = await t.http
      .get(`/v1/complaints/01900000-0000-7000-8000-000000000000`)
      .set(cast.tok(cast.handlerUrban))
      .expect(404);
    expect(notFound.body.code).toBe(missing.body.code);
    await t.http.get(`/v1/complaints/${filed.id}`).set(cast.tok(cast.otherClerk)).expect(404);
    await t.http.get(`/v1/complaints/${filed.id}`).set(cast.tok(cast.stranger)).expect(404);
    await t.http.get(`/v1/complaints/${filed.id}`).expect(401);
    await t.http.get('/v1/complaints/not-a-uuid').set(cast.tok(cast.dispatcher)).expect(400);
    const own = await t.http.get(`/v1/complaints/${filed.id}`).set(cast.tok(cast.citizen)).expect(200);
    expect(own.body).toMatchObject({ number: filed.number, contact: null });
    await t.http.get(`/v1/complaints/${filed.id}?unmask=contact`).set(cast.tok(cast.citizen)).expect(200);
  });

  it('lists orders to staff in scope only, without contact data', async () => {
    const list = await t.http
      .get(`/v1/complaints?categoryCode=${cast.codes.road}&limit=100`)
      .set(cast.tok(cast.dispatcher))
      .expect(200);
    const items = list.body.items as Array<{ id: string; contact: unknown }>;
    expect(items.map((i) => i.id)).toContain(filed.id);
    expect(items.every((i) => i.contact === null)).toBe(true);
    const other = await t.http.get('/v1/complaints?limit=100').set(cast.tok(cast.otherClerk)).expect(200);
    expect(other.body.items).toEqual([]);
    await t.http.get('/v1/complaints').set(cast.tok(cast.citizen)).expect(403);
    await t.http.get('/v1/complaints?status=maybe').set(cast.tok(cast.dispatcher)).expect(400);
    await t.http.get('/v1/complaints?cursor=bad!').set(cast.tok(cast.dispatcher)).expect(400);
  });

  it('answers the same through GraphQL', async () => {
    const res = await t.http
      .post('/graphql')
      .set(cast.tok(cast.dispatcher))
      .send({
        query: `query($id: ID!) { complaint(id: $id) { number contact { phone masked } } }`,
        variables: { id: filed.id },
      })
      .expect(200);
    expect(res.body.data.complaint).toEqual({
      number: filed.number,
      contact: { phone: expect.not.stringContaining('12345'), masked: true },
    });
    const list = await t.http
      .post('/graphql')
      .set(cast.tok(cast.dispatcher))
      .send({
        query: `query($c: String) { complaints(first: 100, categoryCode: $c) { edges { node { id contact { phone } } } } }`,
        variables: { c: cast.codes.road },
      })
      .expect(200);
    const nodes = (list.body.data.complaints.edges as Array<{ node: { id: string; contact: unknown } }>).map(
      (e) => e.node,
    );
    expect(nodes.map((n) => n.id)).toContain(filed.id);
    expect(nodes.every((n) => n.contact === null)).toBe(true);
    const refused = await t.http
      .post('/graphql')
      .set(cast.tok(cast.otherClerk))
      .send({ query: `query($id: ID!) { complaint(id: $id) { number } }`, variables: { id: filed.id } })
      .expect(200);
    expect(refused.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const filedGql = await t.http
      .post('/graphql')
      .send({
        query: `mutation($input: FileComplaintInput!, $key: String) { fileComplaint(input: $input, idempotencyKey: $key) { number trackingCode duplicate } }`,
        variables: {
          input: roadFiling(cast, {
            anonymous: true,
            lastName: null,
            firstName: null,
            phone: null,
            email: null,
            deviceId: `g-${uniq()}`,
          }),
          key: `g-${uniq()}`,
        },
      })
      .expect(200);
    expect(filedGql.body.data.fileComplaint).toMatchObject({ duplicate: false });
  });
});
