import { Open311Client, parseOpen311Xml, type Xml } from '../../support/open311-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { open311World, Open311World } from './open311-fixtures';

/**
 * Open311 GeoReport v2 driven as FixMyStreet drives it (test/support/open311-client.ts: XML only,
 * form-encoded POSTs, attribute[...] arguments, upper-case extended statuses, strict parsing), and
 * the same documents in JSON. A request filed here is a work order like any other: it waits in the
 * dispatch centre's queue, staff work it through REST, and its status and updates come back here.
 */
describe('Open311 GeoReport v2 (/open311/v2) with a FixMyStreet-like client', () => {
  let t: TestApp;
  let w: Open311World;
  let fms: Open311Client;
  const jurisdiction = 'city.example.gov.cn';

  beforeAll(async () => {
    t = await startTestApp({ OPEN311_JURISDICTION_ID: jurisdiction });
    w = await open311World(t);
    fms = new Open311Client(t, { jurisdiction, apiKey: w.key, extendedStatuses: true, multiPhotos: true });
  });
  afterAll(() => t?.close());

  it('serves discovery in both formats, naming the endpoint and its formats', async () => {
    const xml = parseOpen311Xml(await t.http.get('/open311/v2/discovery.xml').expect(200), 'discovery');
    const endpoint = (xml.endpoints as Xml).endpoint as Xml[];
    expect(endpoint[0]).toMatchObject({
      specification: 'http://wiki.open311.org/GeoReport_v2',
      url: `${t.config.publicBaseUrl}/open311/v2`,
      type: 'test',
      formats: { format: ['text/xml', 'application/json'] },
    });
    const json = await t.http.get('/open311/v2/discovery.json').expect(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.body.endpoints[0].formats).toEqual(['text/xml', 'application/json']);
    expect(json.body.changeset).toBe(xml.changeset);
  });

  it('lists services and defines one from the category’s form', async () => {
    const services = await fms.getServiceList();
    const road = services.find((s) => s.service_code === w.code);
    expect(road).toEqual({
      service_code: w.code,
      service_name: '道路破损',
      description: '路面坑洼、井盖缺失',
      metadata: 'true',
      type: 'realtime',
      keywords: 'pothole, 坑',
      group: '城市管理',
    });
    expect(services.find((s) => s.service_code === w.plainCode)?.metadata).toBe('false');
    const en = await t.http.get('/open311/v2/services.json').set('Accept-Language', 'en').expect(200);
    expect(en.body.find((s: { service_code: string }) => s.service_code === w.code).service_name).toBe(
      'Damaged road',
    );

    const def = await fms.getServiceMetaInfo(w.code);
    expect(def.service_code).toBe(w.code);
    const attrs = (def.attributes as Xml).attribute as Xml[];
    expect(attrs.map((a) => [a.order, a.code, a.datatype, a.required, a.variable])).toEqual([
      ['1', 'size', 'singlevaluelist', 'true', 'true'],
      ['2', 'hazards', 'multivaluelist', 'false', 'true'],
      ['3', 'note', 'text', 'false', 'true'],
    ]);
    expect((attrs[0].values as Xml).value).toEqual([
      { key: 'small', name: '小' },
      { key: 'large', name: '大' },
    ]);
    const json = await t.http.get(`/open311/v2/services/${w.code}.json?jurisdiction_id=`).expect(200);
    expect(json.body.attributes[2]).toEqual({
      variable: true,
      code: 'note',
      datatype: 'text',
      required: false,
      datatype_description: null,
      order: 3,
      description: '补充',
      values: [],
    });
  });

  it('files a request that becomes a work order in the dispatch queue, and reads it back', async () => {
    const id = await fms.sendServiceRequest(
      {
        title: 'Pothole',
        detail: 'A large sinkhole is destroying the street',
        name: 'John Smith',
        email: 'smith@example.com',
        latitude: 37.76524078,
        longitude: -122.4212043,
        extra: [
          { name: 'fms_extra_size', value: 'large' },
          { name: 'hazards', value: ['traffic', 'water'] },
        ],
      },
      w.code,
      ['https://fms.example/photo/1.jpeg', 'https://fms.example/photo/2.jpeg'],
    );
    const [row] = await t.db.query<Record<string, unknown>>(
      `SELECT c.id, c.case_id, c.channel, c.anonymous, c.attributes, c.media_urls, c.lat, c.long, c.status,
              c.dispatch_organisation_id, c.contact_enc
       FROM complaint c WHERE c.number = $1`,
      [id],
    );
    expect(row).toMatchObject({
      channel: 'open311',
      anonymous: false,
      attributes: { size: 'large', hazards: ['traffic', 'water'] },
      media_urls: ['https://fms.example/photo/1.jpeg', 'https://fms.example/photo/2.jpeg'],
      lat: 37.76524078,
      long: -122.4212043,
      status: 'open',
      dispatch_organisation_id: w.hotline,
    });
    // the complainant's contact is sealed, not stored in clear
    expect(String(row.contact_enc)).not.toContain('smith@example.com');

    const queue = await t.http.get('/v1/tasks?limit=100').set(w.tok(w.dispatcher)).expect(200);
    const task = queue.body.items.find((i: { caseId: string }) => i.caseId === row.case_id);
    expect(task).toMatchObject({ candidateUnit: { id: w.hotline } });

    const [one] = await fms.getServiceRequests({ reportIds: [id] });
    expect(one).toMatchObject({
      service_request_id: id,
      status: 'open',
      service_code: w.code,
      service_name: '道路破损',
      lat: '37.76524078',
      long: '-122.4212043',
      media_url: 'https://fms.example/photo/1.jpeg',
    });
    expect(String(one.description)).toContain('A large sinkhole');
    expect(one.requested_datetime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const single = await t.http.get(`/open311/v2/requests/${id}.json`).expect(200);
    expect(single.body).toHaveLength(1);
    expect(single.body[0]).toMatchObject({
      service_request_id: id,
      status: 'open',
      address_id: null,
      zipcode: null,
    });
    expect(JSON.stringify(single.body)).not.toContain('smith@example.com');
  });

  it('brings the work order’s status, notes, agency and expected time back, and its updates', async () => {
    const since = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const id = await fms.sendServiceRequest(
      {
        title: 'Hole',
        detail: 'Deep hole',
        name: 'Ann Lee',
        latitude: 30.1,
        longitude: 120.2,
        extra: [{ name: 'size', value: 'small' }],
      },
      w.code,
    );
    const [c] = await t.db.query<{ case_id: string }>('SELECT case_id FROM complaint WHERE number = $1', [
      id,
    ]);
    await t.http
      .post(`/v1/cases/${c.case_id}/actions/dispatch`)
      .set(w.tok(w.dispatcher))
      .send({ organisationId: w.urban, reason: '请城管局处理' })
      .expect(200);
    const act = (action: string, body: object) =>
      t.http
        .post(`/v1/cases/${c.case_id}/actions/${action}`)
        .set(w.tok(w.handler))
        .send(body)
        .expect((r) => {
          if (r.status !== 200) throw new Error(r.text);
        });
    await act('sign', {});
    await t.http
      .post(`/v1/cases/${c.case_id}/actions/reply`)
      .set(w.tok(w.handler))
      .send({ reason: '已修补路面' })
      .expect((r) => {
        if (r.status !== 200) throw new Error(r.text);
      });

    const [req] = await fms.getServiceRequests({ reportIds: [id] });
    const [db] = await t.db.query<{ expected_at: Date; status_notes: string }>(
      'SELECT expected_at, status_notes FROM complaint WHERE number = $1',
      [id],
    );
    expect(req).toMatchObject({ status: 'open', status_notes: '已修补路面' });
    expect(String(req.agency_responsible)).toContain('城管局');
    expect(req.expected_datetime).toBe(new Date(db.expected_at).toISOString().replace(/\.\d{3}Z$/, 'Z'));

    const end = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const updates = (await fms.getServiceRequestUpdates(since, end)).filter(
      (u) => u.service_request_id === id,
    );
    const stored = await t.db.query<{ id: string; extended_status: string; description: string }>(
      `SELECT u.id, u.extended_status, u.description FROM complaint_update u JOIN complaint c ON c.id = u.complaint_id
       WHERE c.number = $1 AND u.public ORDER BY u.created_at, u.id`,
      [id],
    );
    expect(updates.map((u) => [u.update_id, u.status, u.description])).toEqual(
      stored.map((u) => [u.id, u.extended_status.toLowerCase(), u.description]),
    );
    expect(updates.find((u) => u.status === 'fixed')?.description).toBe('已修补路面');
    for (const u of updates) expect(u.updated_datetime).toMatch(/Z$/);
  });

  it('takes updates with FixMyStreet’s upper-case statuses (REOPEN only on a closed order)', async () => {
    const id = await fms.sendServiceRequest(
      { title: 'x', detail: 'Broken kerb', name: 'Bo', postcode: '人民路 1 号' },
      w.plainCode,
    );
    const before = await t.db.query(
      'SELECT id FROM complaint_update WHERE complaint_id = (SELECT id FROM complaint WHERE number = $1)',
      [id],
    );
    const updateId = await fms.postServiceRequestUpdate({
      requestId: id,
      text: 'Still broken, please look again',
      state: 'in progress',
      name: 'Bo Li',
      email: 'bo@example.com',
      confirmed: new Date(),
      photoUrl: 'https://fms.example/photo/9.jpeg',
      commentId: '77',
    });
    const after = await t.db.query<{ id: string; description: string; media_url: string }>(
      'SELECT id, description, media_url FROM complaint_update WHERE complaint_id = (SELECT id FROM complaint WHERE number = $1)',
      [id],
    );
    expect(after.length).toBe(before.length + 1);
    expect(after.find((u) => u.id === updateId)).toMatchObject({
      description: 'Still broken, please look again',
      media_url: 'https://fms.example/photo/9.jpeg',
    });
    const json = await t.http
      .post('/open311/v2/servicerequestupdates.json')
      .type('form')
      .send({ api_key: w.key, service_request_id: id, description: 'And again', status: 'OPEN' })
      .expect(200);
    expect(json.body).toEqual([{ update_id: expect.any(String) }]);
    // the complaints module's rule (重办 only after closing) comes back in the Open311 error form
    const reopen = fms.postServiceRequestUpdate({
      requestId: id,
      text: 'Redo it',
      state: 'reopen',
      name: 'Bo',
      confirmed: new Date(),
      commentId: '78',
    });
    await expect(reopen).rejects.toMatchObject({
      status: 400,
      errors: [{ code: '409', description: expect.any(String) }],
    });
  });

  it('files once per Idempotency-Key, in either format; the key with another form is refused', async () => {
    const body = {
      api_key: w.key,
      service_code: w.plainCode,
      address_string: '人民路 2 号',
      description: 'Loud',
    };
    const post = (format: string, form: Record<string, string>) =>
      t.http
        .post(`/open311/v2/requests.${format}`)
        .type('form')
        .set('Idempotency-Key', 'fms-report-4711')
        .send(form);
    const first = parseOpen311Xml(await post('xml', body).expect(200), 'service_requests');
    const id = (first.request as Xml[])[0].service_request_id;
    const again = await post('json', body).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body[0].service_request_id).toBe(id);
    const [{ n }] = await t.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM complaint WHERE description = 'Loud' AND address = '人民路 2 号'",
    );
    expect(Number(n)).toBe(1);
    const other = await post('json', { ...body, description: 'Louder' }).expect(400);
    expect(other.body).toEqual([{ code: 422, description: expect.any(String) }]);
  });

  it('finds the id behind a tracking code (tokens) and filters, pages and limits GET requests', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        await fms.sendServiceRequest(
          { title: 't', detail: `Noise ${i}`, name: 'Cy', postcode: 'Street' },
          w.plainCode,
        ),
      );
    const [{ tracking_code: token }] = await t.db.query<{ tracking_code: string }>(
      'SELECT tracking_code FROM complaint WHERE number = $1',
      [ids[0]],
    );
    expect(await fms.getServiceRequestIdFromToken(token)).toBe(ids[0]);
    const page = (n: number) =>
      fms.getServiceRequests({
        service_code: w.plainCode,
        status: 'open,closed',
        page: String(n),
        page_size: '2',
      });
    const [p1, p2] = [await page(1), await page(2)];
    expect(p1).toHaveLength(2);
    const seen = [...p1, ...p2].map((r) => r.service_request_id);
    for (const id of ids) expect(seen).toContain(id);
    expect(await fms.getServiceRequests({ service_code: w.plainCode, status: 'closed' })).toEqual([]);
    const old = await fms.getServiceRequests({
      service_code: w.plainCode,
      start_date: '2010-01-01T00:00:00Z',
      end_date: '2010-03-01T00:00:00+08:00',
    });
    expect(old).toEqual([]);
    // service_request_id overrides every other argument
    const byId = await fms.getServiceRequests({
      reportIds: [ids[1], 'nope'],
      status: 'closed',
      service_code: 'x',
    });
    expect(byId.map((r) => r.service_request_id)).toEqual([ids[1]]);
  });
});
