import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import {
  auth,
  makeCitizen,
  makeStaff,
  makeUnit,
  signIn,
  TEST_REGION,
  uniq,
} from '../identity/staff-fixtures';
import { samples } from '../support/sample-files';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import {
  activeWorkflow,
  SERVICE_FORM as FORM,
  serviceContent,
  standardSpec,
} from '../support/workflow-fixtures';

interface AdminBody {
  id: string;
  status: string;
  version: number;
  currentPublishedVersionId: string | null;
  draft: { id: string; number: number; state: string; content: Record<string, unknown> } | null;
  published: { id: string; number: number; state: string; content: Record<string, unknown> } | null;
}
interface Problem {
  code: string;
  errors?: { pointer: string; code: string; message: string }[];
}

/** The shared test guide, with English conditions (the language tests read them back). */
function content(
  over: Record<string, unknown> = {},
  guideOver: Record<string, unknown> = {},
): Record<string, unknown> {
  const base = serviceContent({}, guideOver);
  const translations = base.translations as { en: Record<string, string> };
  return {
    ...base,
    translations: { ...translations, en: { ...translations.en, conditions: 'Adults with full capacity' } },
    ...over,
  };
}

describe('service catalogue (办事指南): versions, publication, public reads, form validation', () => {
  let t: TestApp;
  let X: string;
  let Y: string;
  let staff: Record<string, string>;
  let staffY: Record<string, string>;
  let manageOnly: Record<string, string>;
  let citizen: Record<string, string>;

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    (await t.db.query<{ n: number }>(sql, params))[0].n;
  const byCode = (code: string) =>
    count('SELECT count(*)::int AS n FROM service WHERE implementation_code = $1', [code]);

  // Publishing needs an active workflow (the workflow module's publish check): every service made
  // here gets one, so the catalogue's own rules are what these tests see.
  const create = async (over: Record<string, unknown> = {}, as = staff) => {
    const code = `TEST-${uniq()}`;
    const res = await t.http
      .post('/v1/catalog/services')
      .set(as)
      .send({
        organisationId: X,
        implementationCode: code,
        type: 'administrative_licence',
        target: 'person',
        draft: content(),
        ...over,
      });
    if (res.status === 201) await activeWorkflow(t, (res.body as AdminBody).id, standardSpec(), as);
    return { res, code, body: res.body as AdminBody };
  };
  const step = (id: string, action: string, as = staff) =>
    t.http.post(`/v1/catalog/services/${id}/${action}`).set(as).send();
  const published = async (contentOver?: Record<string, unknown>): Promise<AdminBody> => {
    const { res, body } = await create(contentOver ? { draft: contentOver } : {});
    if (res.status !== 201) throw new Error(`create: ${res.status} ${res.text}`);
    expect((await step(body.id, 'submit')).status).toBe(200);
    const pub = await step(body.id, 'publish');
    if (pub.status !== 200) throw new Error(`publish: ${pub.status} ${pub.text}`);
    return pub.body as AdminBody;
  };

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const root = await makeUnit(t, '目录市局');
    X = await makeUnit(t, '目录甲区', root);
    Y = await makeUnit(t, '目录乙区', root);
    staff = auth(await scopedToken(t, 'staff', ['catalog:manage', 'catalog:review', 'workflow:manage']));
    manageOnly = auth(await scopedToken(t, 'staff', ['catalog:manage']));
    staffY = auth(await signIn(t, await makeStaff(t, Y, [{ role: RoleName.Admin, unit: Y }]), 'staff'));
    citizen = auth(await signIn(t, await makeCitizen(t), 'citizen'));
  });
  afterAll(() => t.close());

  it('create → edit draft → submit → publish → public read (zh, en, elder)', async () => {
    const { res, body, code } = await create();
    expect(res.status).toBe(201);
    expect(body).toMatchObject({ status: 'draft', currentPublishedVersionId: null, published: null });
    expect(body.draft).toMatchObject({ number: 1, state: 'draft' });
    expect(await byCode(code)).toBe(1);

    // Editing needs If-Match.
    const noMatch = await t.http.put(`/v1/catalog/services/${body.id}/draft`).set(staff).send(content());
    expect(noMatch.status).toBe(428);
    const stale = await t.http
      .put(`/v1/catalog/services/${body.id}/draft`)
      .set(staff)
      .set('If-Match', '"v999"')
      .send(content());
    expect(stale.status).toBe(412);
    const edited = await t.http
      .put(`/v1/catalog/services/${body.id}/draft`)
      .set(staff)
      .set('If-Match', `"v${body.version}"`)
      .send(content({}, { visitsRequired: 0 }));
    expect(edited.status).toBe(200);
    const afterEdit = edited.body as AdminBody;
    expect(afterEdit.version).toBeGreaterThan(body.version);
    const [row] = await t.db.query<{ content: { guide: { visitsRequired: number } } }>(
      'SELECT content FROM service_version WHERE id = $1',
      [body.draft!.id],
    );
    expect(row.content.guide.visitsRequired).toBe(0);

    // Not public before publication.
    expect((await t.http.get(`/v1/services/${body.id}`)).status).toBe(404);

    const submitted = await step(body.id, 'submit');
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'in_review', draft: { state: 'in_review' } });
    // A version in review is not edited.
    const inReview = await t.http
      .put(`/v1/catalog/services/${body.id}/draft`)
      .set(staff)
      .set('If-Match', `"v${(submitted.body as AdminBody).version}"`)
      .send(content());
    expect(inReview.status).toBe(409);

    // Publishing needs catalog:review.
    expect((await step(body.id, 'publish', manageOnly)).status).toBe(403);
    const pub = await step(body.id, 'publish');
    expect(pub.status).toBe(200);
    const p = pub.body as AdminBody;
    expect(p).toMatchObject({
      status: 'published',
      draft: null,
      published: { number: 1, state: 'published' },
    });
    expect(p.currentPublishedVersionId).toBe(body.draft!.id);
    const audits = await count(
      "SELECT count(*)::int AS n FROM audit_leaf WHERE resource_id = $1 AND action LIKE 'service.%'",
      [body.id],
    );
    expect(audits).toBe(4);

    const zh = await t.http.get(`/v1/services/${body.id}`);
    expect(zh.status).toBe(200);
    expect(zh.body).toMatchObject({
      mode: 'standard',
      title: '个体工商户登记',
      language: 'zh-CN',
      versionNumber: 1,
    });
    expect(zh.body.guide.visitsRequired).toBe(0);
    expect(zh.body.guide.materials).toHaveLength(2);
    expect(zh.body.form.required).toEqual(['applicantName', 'phone']);
    expect(zh.headers.vary).toMatch(/Prefer/);
    expect(zh.headers.etag).toBeDefined();
    const again = await t.http.get(`/v1/services/${body.id}`).set('If-None-Match', zh.headers.etag);
    expect(again.status).toBe(304);

    const en = await t.http.get(`/v1/services/${body.id}`).set('Accept-Language', 'en');
    expect(en.body).toMatchObject({ title: 'Sole proprietorship registration', language: 'en' });
    expect(en.body.guide.conditions).toBe('Adults with full capacity');

    const elder = await t.http.get(`/v1/services/${body.id}`).set('Prefer', 'return=elder');
    expect(elder.status).toBe(200);
    expect(elder.body).toMatchObject({
      mode: 'elder',
      title: '个体工商户登记',
      summary: '开小店，先登记。',
      materials: ['身份证', '经营场所证明'],
      timeLimit: '5 个工作日内办结',
      visits: '一趟不用跑',
      fees: '不收费',
    });
    expect(elder.body.steps.length).toBeLessThanOrEqual(5);
    expect(elder.body.guide).toBeUndefined();
    expect(elder.headers.etag).not.toBe(zh.headers.etag);
    const elderQuery = await t.http.get(`/v1/services/${body.id}?mode=elder`).set('Accept-Language', 'en');
    expect(elderQuery.body).toMatchObject({
      mode: 'elder',
      title: 'Sole proprietorship registration',
      fees: 'Free of charge',
    });

    // Listed, with filters.
    const list = await t.http.get(`/v1/services?organisationId=${X}&limit=100`);
    expect(list.status).toBe(200);
    expect((list.body.items as { id: string }[]).map((i) => i.id)).toContain(body.id);
    const filtered = await t.http.get(
      `/v1/services?region=${TEST_REGION.slice(0, 2)}&type=administrative_licence&target=person&lifeEvent=开办企业&topic=市场监管&organisationId=${X}`,
    );
    expect((filtered.body.items as { id: string }[]).map((i) => i.id)).toContain(body.id);
    const otherType = await t.http.get(`/v1/services?organisationId=${X}&type=public_service`);
    expect((otherType.body.items as { id: string }[]).map((i) => i.id)).not.toContain(body.id);
    const otherEvent = await t.http.get(`/v1/services?organisationId=${X}&lifeEvent=退休`);
    expect(otherEvent.body.items).toHaveLength(0);
  });

  it('a published version is never edited; a revision is a new version and the old one is kept', async () => {
    const p = await published();
    const put = await t.http
      .put(`/v1/catalog/services/${p.id}/draft`)
      .set(staff)
      .set('If-Match', `"v${p.version}"`)
      .send(content({}, { visitsRequired: 3 }));
    expect(put.status).toBe(409);
    expect((put.body as Problem).code).toBe('INVALID_STATE');
    const [v1] = await t.db.query<{ content: { guide: { visitsRequired: number } } }>(
      'SELECT content FROM service_version WHERE id = $1',
      [p.currentPublishedVersionId],
    );
    expect(v1.content.guide.visitsRequired).toBe(1);

    const revised = await step(p.id, 'revise');
    expect(revised.status).toBe(200);
    const r = revised.body as AdminBody;
    expect(r.draft).toMatchObject({ number: 2, state: 'draft' });
    const edited = await t.http
      .put(`/v1/catalog/services/${p.id}/draft`)
      .set(staff)
      .set('If-Match', `"v${r.version}"`)
      .send(content({}, { visitsRequired: 2 }));
    expect(edited.status).toBe(200);
    // The public still sees version 1 until version 2 is published.
    expect((await t.http.get(`/v1/services/${p.id}`)).body.guide.visitsRequired).toBe(1);
    expect((await step(p.id, 'submit')).status).toBe(200);
    expect((await step(p.id, 'publish')).status).toBe(200);
    const pub = await t.http.get(`/v1/services/${p.id}`);
    expect(pub.body).toMatchObject({ versionNumber: 2 });
    expect(pub.body.guide.visitsRequired).toBe(2);
    const states = await t.db.query<{ number: number; state: string }>(
      'SELECT number, state FROM service_version WHERE service_id = $1 ORDER BY number',
      [p.id],
    );
    expect(states).toEqual([
      { number: 1, state: 'superseded' },
      { number: 2, state: 'published' },
    ]);

    // Retired: gone from the public side.
    expect((await step(p.id, 'retire')).status).toBe(200);
    expect((await t.http.get(`/v1/services/${p.id}`)).status).toBe(404);
    expect((await step(p.id, 'retire')).status).toBe(409);
  });

  it('publication is refused when the promised limit exceeds the legal one or uses another unit', async () => {
    for (const [promisedLimit, pointer] of [
      [{ amount: 30, unit: 'working_days' }, '/guide/promisedLimit/amount'],
      [{ amount: 5, unit: 'natural_days' }, '/guide/promisedLimit/unit'],
    ] as const) {
      const { body } = await create({ draft: content({}, { promisedLimit }) });
      expect((await step(body.id, 'submit')).status).toBe(200);
      const res = await step(body.id, 'publish');
      expect(res.status).toBe(400);
      expect((res.body as Problem).errors?.map((e) => e.pointer)).toContain(pointer);
      const [row] = await t.db.query<{ status: string; current_published_version_id: string | null }>(
        'SELECT status, current_published_version_id FROM service WHERE id = $1',
        [body.id],
      );
      expect(row).toEqual({ status: 'in_review', current_published_version_id: null });
    }
    // A promised item must list required materials.
    const { body } = await create({
      draft: content(
        {},
        { materials: [{ name: '照片', source: '自备', copies: 1, form: 'paper', required: false }] },
      ),
    });
    await step(body.id, 'submit');
    const res = await step(body.id, 'publish');
    expect(res.status).toBe(400);
    expect((res.body as Problem).errors?.map((e) => e.pointer)).toContain('/guide/materials');
  });

  it('blank and sample forms must be public template files; the published guide links to them', async () => {
    const upload = (purpose: string) =>
      t.http
        .post(`/v1/files?purpose=${purpose}&name=${encodeURIComponent('空表.pdf')}`)
        .set(staff)
        .set('Content-Type', 'application/pdf')
        .send(samples.pdf());
    const template = (await upload('template').expect(201)).body as { id: string };
    const privateFile = (await upload('attachment').expect(201)).body as { id: string };
    const materials = (templateFileId: string, sampleFileId: string) => [
      {
        name: '身份证',
        source: '申请人自备',
        copies: 1,
        form: 'both',
        required: true,
        templateFileId,
        sampleFileId,
      },
    ];
    const bad = await create({ draft: content({}, { materials: materials(template.id, privateFile.id) }) });
    await step(bad.body.id, 'submit');
    const refused = await step(bad.body.id, 'publish');
    expect(refused.status).toBe(400);
    expect((refused.body as Problem).errors).toEqual([
      expect.objectContaining({ pointer: '/guide/materials/0/sampleFileId', code: 'templateNotFound' }),
    ]);
    expect((await t.db.query('SELECT status FROM service WHERE id = $1', [bad.body.id]))[0]).toEqual({
      status: 'in_review',
    });

    const good = await published(content({}, { materials: materials(template.id, template.id) }));
    const guide = await t.http.get(`/v1/services/${good.id}`).expect(200);
    expect(guide.body.guide.materials[0]).toMatchObject({ templateFileId: template.id });
    // Anyone reading the guide can fetch the blank form.
    const file = await t.http.get(`/v1/files/${template.id}/content`).expect(200);
    expect(file.headers['content-type']).toContain('application/pdf');
  });

  it('bad form schemas are refused with pointers, on save and (if the row was tampered with) on publish', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { ...FORM, properties: { ...FORM.properties, extra: { type: 'string', foo: 1 } } },
        '/draft/form/properties/extra/foo',
      ],
      [{ ...FORM, properties: { a: { type: 'strin' } }, required: [] }, '/draft/form/properties/a/type'],
      [{ ...FORM, required: ['missing'], properties: {} }, '/draft/form'],
      [
        { ...FORM, properties: { a: { type: 'string', 'x-ui': { colour: 'red' } } }, required: [] },
        '/draft/form',
      ],
      [{ type: 'array' }, '/draft/form/type'],
    ];
    for (const [form, pointer] of cases) {
      const { res, code } = await create({ draft: content({ form }) });
      expect(res.status).toBe(400);
      const pointers = (res.body as Problem).errors?.map((e) => e.pointer) ?? [];
      expect(pointers.some((p) => p.startsWith(pointer))).toBe(true);
      expect(await byCode(code)).toBe(0);
    }
    const { body } = await create();
    await step(body.id, 'submit');
    await t.db.query(
      `UPDATE service_version SET content = jsonb_set(content, '{form,properties,x}', '{"type":"nope"}') WHERE id = $1`,
      [body.draft!.id],
    );
    const res = await step(body.id, 'publish');
    expect(res.status).toBe(400);
    expect((res.body as Problem).errors?.some((e) => e.pointer.startsWith('/form/properties/x'))).toBe(true);
  });

  it('citizens, anonymous callers and staff of other units cannot write; nothing is written', async () => {
    const p = await published();
    const code = `TEST-${uniq()}`;
    const payload = {
      organisationId: X,
      implementationCode: code,
      type: 'public_service',
      target: 'both',
      draft: content(),
    };
    expect((await t.http.post('/v1/catalog/services').send(payload)).status).toBe(401);
    expect((await t.http.post('/v1/catalog/services').set(citizen).send(payload)).status).toBe(403);
    // Staff of unit Y: X is out of scope, answered as not found.
    expect((await t.http.post('/v1/catalog/services').set(staffY).send(payload)).status).toBe(404);
    expect(await byCode(code)).toBe(0);
    for (const action of ['revise', 'submit', 'publish', 'retire']) {
      expect((await step(p.id, action, {})).status).toBe(401);
      expect((await step(p.id, action, citizen)).status).toBe(403);
      expect((await step(p.id, action, staffY)).status).toBe(404);
    }
    expect((await t.http.get(`/v1/catalog/services/${p.id}`).set(citizen)).status).toBe(403);
    expect((await t.http.get(`/v1/catalog/services/${p.id}`).set(staffY)).status).toBe(404);
    const [row] = await t.db.query<{ status: string; draft_version_id: string | null }>(
      'SELECT status, draft_version_id FROM service WHERE id = $1',
      [p.id],
    );
    expect(row).toEqual({ status: 'published', draft_version_id: null });
    // Staff of Y can create in Y.
    const inY = await t.http
      .post('/v1/catalog/services')
      .set(staffY)
      .send({ ...payload, organisationId: Y });
    expect(inY.status).toBe(201);
  });

  it('form validation points at the fields; the service method gives the same answer', async () => {
    const p = await published();
    const ok = await t.http
      .post(`/v1/services/${p.id}/form-validation`)
      .send({ data: { applicantName: '张三', phone: '13800000000' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ valid: true, errors: [] });
    const bad = await t.http
      .post(`/v1/services/${p.id}/form-validation`)
      .send({ data: { phone: '123', shopArea: -1, hack: true } });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    const pointers = (bad.body.errors as { pointer: string }[]).map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/applicantName', '/hack', '/phone', '/shopArea']);
    const { CatalogService } = await import('../../src/modules/public/catalog/catalog.service');
    const errors = await t.app.get(CatalogService).validateForm(p.id, { applicantName: '张三' });
    expect(errors).toEqual([{ pointer: '/phone', code: 'form.required', message: '请填写“手机号”' }]);
    const en = await t.app.get(CatalogService).validateForm(p.id, { applicantName: '张三' }, 'en');
    expect(en).toEqual([{ pointer: '/phone', code: 'form.required', message: '手机号 is required' }]);
  });

  it('unknown services are 404 and bad input is 400', async () => {
    const missing = '01890000-0000-7000-8000-000000000000';
    expect((await t.http.get(`/v1/services/${missing}`)).status).toBe(404);
    expect((await t.http.post(`/v1/services/${missing}/form-validation`).send({ data: {} })).status).toBe(
      404,
    );
    expect((await step(missing, 'publish')).status).toBe(404);
    expect((await t.http.get('/v1/services/not-a-uuid')).status).toBe(400);
    expect((await t.http.get('/v1/services?type=bogus')).status).toBe(400);
    expect((await t.http.get('/v1/services?region=abc')).status).toBe(400);
    expect((await t.http.get('/v1/services/' + missing + '?mode=loud')).status).toBe(400);

    const bads: [Record<string, unknown>, string][] = [
      [{ draft: content({}, { onlineDepth: 5 }) }, '/draft/guide/onlineDepth'],
      [{ draft: content({}, { handlingType: 'soon' }) }, '/draft/guide/handlingType'],
      [{ draft: content({}, { legalLimit: { amount: 5, unit: 'weeks' } }) }, '/draft/guide/legalLimit/unit'],
      [
        {
          draft: content(
            {},
            { materials: [{ name: '', source: 'x', copies: 1, form: 'paper', required: true }] },
          ),
        },
        '/draft/guide/materials/0/name',
      ],
      [
        { draft: content({ elder: { summary: 's', steps: ['1', '2', '3', '4', '5', '6'] } }) },
        '/draft/elder/steps',
      ],
      [{ draft: content({ translations: { en: { title: 'x' } } }) }, '/draft/translations/zh-CN'],
      [
        { draft: content({}, { fees: [{ name: 'x', amount: -1, basis: 'y' }] }) },
        '/draft/guide/fees/0/amount',
      ],
      [{ implementationCode: 'x' }, '/implementationCode'],
      [{ type: 'tax' }, '/type'],
      [{ surprise: 1 }, '/surprise'],
      [{ draft: content({}, { conditions: 'bad \ud800 text' }) }, '/draft/guide/conditions'],
    ];
    for (const [over, pointer] of bads) {
      const { res, code } = await create(over);
      expect(res.status).toBe(400);
      expect((res.body as Problem).errors?.map((e) => e.pointer)).toContain(pointer);
      expect(await byCode(code)).toBe(0);
    }
    const bad = await t.http.post(`/v1/services/${missing}/form-validation`).send({ data: 'x' });
    expect(bad.status).toBe(400);
  });

  it('search understands Chinese without spaces and ranks title matches first', async () => {
    const HAN = '甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳';
    const han = [...uniq().slice(0, 8)].map((c) => HAN[parseInt(c, 16)]).join('');
    const word = `k${uniq()}`;
    const titled = content({ translations: { 'zh-CN': { title: `${han}许可 ${word}` } } });
    const mentioned = content({
      translations: { 'zh-CN': { title: '其他事项', summary: `与 ${word} 有关` } },
    });
    const inTitle = await published(titled);
    const inText = await published(mentioned);
    const byWord = await t.http.get(`/v1/services/search?q=${encodeURIComponent(word.toUpperCase())}`);
    expect(byWord.status).toBe(200);
    const hits = byWord.body.items as { id: string; score: number; title: string }[];
    expect(hits.map((h) => h.id)).toEqual([inTitle.id, inText.id]);
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
    // A Chinese fragment from the middle of the title, no spaces.
    const byHan = await t.http.get(`/v1/services/search?q=${encodeURIComponent(han.slice(2, 6) + '许可')}`);
    expect((byHan.body.items as { id: string }[])[0].id).toBe(inTitle.id);
    // Retired services are not found; unmatched queries are empty; q is required.
    await step(inTitle.id, 'retire');
    const after = await t.http.get(`/v1/services/search?q=${word}`);
    expect((after.body.items as { id: string }[]).map((h) => h.id)).toEqual([inText.id]);
    expect((await t.http.get(`/v1/services/search?q=zz${uniq()}`)).body.items).toEqual([]);
    expect((await t.http.get('/v1/services/search')).status).toBe(400);
    expect((await t.http.get('/v1/services/search?q=x&limit=500')).status).toBe(400);
  });

  it('GraphQL twins: services connection and service(id, elder)', async () => {
    const p = await published();
    const gql = (
      query: string,
      variables: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ) =>
      t.http.post('/graphql').set('Content-Type', 'application/json').set(headers).send({ query, variables });
    const list = await gql(
      'query($org: ID!) { services(organisationId: $org, type: administrative_licence, first: 100) { edges { node { id title type target lifeEvents } } pageInfo { hasNextPage } } }',
      { org: X },
    );
    expect(list.status).toBe(200);
    expect(list.body.errors).toBeUndefined();
    const nodes = (
      list.body.data.services.edges as { node: { id: string; title: string; type: string } }[]
    ).map((e) => e.node);
    expect(nodes.find((n) => n.id === p.id)).toMatchObject({
      title: '个体工商户登记',
      type: 'administrative_licence',
    });

    // the guide is typed, field for field REST's GuideDto; the form is a JSONObject, REST's object
    const GUIDE = `legalBasis conditions handlingType visitsRequired onlineDepth steps consultPhone supervisionPhone
      lifeEvents topics legalLimit { amount unit } promisedLimit { amount unit } fees { name amount basis }
      materials { name source copies form required templateFileId sampleFileId } places { name address hours } faq { q a }`;
    const std = await gql(
      `query($id: ID!) { service(id: $id) { mode title versionNumber guide { ${GUIDE} } form elder { summary } } }`,
      { id: p.id },
      { 'Accept-Language': 'en' },
    );
    expect(std.body.errors).toBeUndefined();
    expect(std.body.data.service).toMatchObject({
      mode: 'standard',
      title: 'Sole proprietorship registration',
      versionNumber: 1,
      elder: null,
    });
    const rest = await t.http.get(`/v1/services/${p.id}`).set('Accept-Language', 'en').expect(200);
    // GraphQL answers null where REST leaves an optional member out
    const withoutNulls = (v: unknown): unknown =>
      JSON.parse(JSON.stringify(v, (_k, x: unknown) => x ?? undefined));
    expect(withoutNulls(std.body.data.service.guide)).toEqual(rest.body.guide);
    expect(std.body.data.service.guide).toMatchObject({
      visitsRequired: 1,
      handlingType: 'promised',
      legalLimit: { unit: 'working_days' },
      materials: expect.arrayContaining([
        expect.objectContaining({ name: '身份证', form: expect.any(String) }),
      ]),
    });
    expect(std.body.data.service.form).toEqual(rest.body.form);
    expect(std.body.data.service.form.required).toEqual(['applicantName', 'phone']);

    const elder = await gql(
      'query($id: ID!) { service(id: $id, elder: true) { mode guide { legalBasis } form elder { summary steps materials timeLimit } } }',
      { id: p.id },
    );
    expect(elder.body.data.service).toMatchObject({
      mode: 'elder',
      guide: null,
      form: null,
      elder: {
        summary: '开小店，先登记。',
        materials: ['身份证', '经营场所证明'],
        timeLimit: '5 个工作日内办结',
      },
    });

    const missing = await gql('query { service(id: "01890000-0000-7000-8000-000000000000") { id } }');
    expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const bad = await gql('query { services(region: "abc") { edges { node { id } } } }');
    expect(bad.body.errors[0].extensions.code).toBe('VALIDATION_FAILED');
  });

  it('creation takes an Idempotency-Key: a retry replays the first answer and writes once', async () => {
    const code = `TEST-${uniq()}`;
    const key = `cat-${uniq()}`;
    const payload = {
      organisationId: X,
      implementationCode: code,
      type: 'public_service',
      target: 'business',
      draft: content(),
    };
    const first = await t.http
      .post('/v1/catalog/services')
      .set(staff)
      .set('Idempotency-Key', key)
      .send(payload);
    const retry = await t.http
      .post('/v1/catalog/services')
      .set(staff)
      .set('Idempotency-Key', key)
      .send(payload);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    expect(await byCode(code)).toBe(1);
    // Without the key, the same code is a conflict.
    const again = await t.http.post('/v1/catalog/services').set(staff).send(payload);
    expect(again.status).toBe(409);
    expect(await byCode(code)).toBe(1);
  });
});
