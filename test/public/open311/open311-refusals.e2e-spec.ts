import type { Response } from 'supertest';
import { XMLValidator } from 'fast-xml-parser';
import { parseOpen311Xml, type Xml } from '../../support/open311-client';
import { startTestApp, TestApp } from '../../support/test-app';
import { open311World, Open311World, writes } from './open311-fixtures';

/**
 * Refusals under /open311/v2: every one in the spec's error form (`<errors><error><code/>
 * <description/>` or `[{code, description}]`) with 400, 403 or 404, whoever refuses (the body
 * parser, the guard, the router, the arguments, the complaints module), never a 500 and never
 * problem+json (but 429 from the rate limiter and 5xx, as documented); a refused POST writes nothing.
 */
describe('Open311 refusals', () => {
  let t: TestApp;
  let w: Open311World;
  const J = 'city.example.gov.cn';

  beforeAll(async () => {
    t = await startTestApp({ OPEN311_JURISDICTION_ID: J });
    w = await open311World(t);
  });
  afterAll(() => t?.close());

  /** The errors of an Open311 refusal, checked strictly in whichever format the path asked for. */
  function errorsOf(res: Response, status: number, path: string): { code: string; description: string }[] {
    expect([res.status, res.headers['content-type']]).toEqual([
      status,
      /\.json(\?|$)/i.test(path) ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8',
    ]);
    if (res.headers['content-type'].startsWith('application/json'))
      return (JSON.parse(res.text) as { code: number; description: string }[]).map((e) => ({
        code: String(e.code),
        description: e.description,
      }));
    return (parseOpen311Xml(res, 'errors').error as Xml[]).map((e) => ({
      code: String(e.code),
      description: String(e.description),
    }));
  }

  const valid = () => ({
    jurisdiction_id: J,
    service_code: w.code,
    lat: '30.5',
    long: '120.1',
    description: 'Pothole',
    'attribute[size]': 'small',
  });
  const form = (path: string, body: Record<string, string | string[]> | string) =>
    t.http
      .post(`/open311/v2/${path}`)
      .type('form')
      .send(typeof body === 'string' ? body : new URLSearchParams(flat(body)).toString());
  const flat = (o: Record<string, string | string[]>): [string, string][] =>
    Object.entries(o).flatMap(([k, v]) =>
      Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]],
    );

  /** Sends a refused POST and proves it wrote nothing. */
  async function refusedPost(path: string, send: () => Promise<Response>, status: number) {
    const before = await writes(t);
    const res = await send();
    const errors = errorsOf(res, status, path);
    expect(await writes(t)).toEqual(before);
    return errors;
  }

  it('refuses a POST without api_key, with an invalid, revoked or unscoped one (403)', async () => {
    for (const api_key of [undefined, 'owk_nope', w.revokedKey, w.weakKey, `${w.key.slice(0, -1)}x`]) {
      const body = { ...valid(), ...(api_key ? { api_key } : {}) };
      const errors = await refusedPost('requests.xml', () => form('requests.xml', body), 403);
      expect(errors).toEqual([{ code: '403', description: expect.any(String) }]);
    }
    const bearer = await refusedPost(
      'requests.json',
      () => form('requests.json', valid()).set('Authorization', 'Bearer a.b.c'),
      403,
    );
    expect(bearer[0].code).toBe('403');
    // the key in an X-API-Key header serves as well as the form's api_key
    const ok = await form('requests.json', valid()).set('X-API-Key', w.key).expect(200);
    expect(ok.body[0].service_request_id).toEqual(expect.any(String));
  });

  it('serves one jurisdiction: optional, case-insensitive, any other one 404', async () => {
    await t.http.get(`/open311/v2/services.xml?jurisdiction_id=${J.toUpperCase()}`).expect(200);
    await t.http.get('/open311/v2/services.xml?jurisdiction_id=').expect(200);
    const e = errorsOf(
      await t.http.get('/open311/v2/services.xml?jurisdiction_id=sfgov.org'),
      404,
      '/open311/v2/services.xml?jurisdiction_id=sfgov.org',
    );
    expect(e).toEqual([{ code: '404', description: expect.any(String) }]);
    await refusedPost(
      'requests.xml',
      () => form('requests.xml', { ...valid(), api_key: w.key, jurisdiction_id: 'sfgov.org' }),
      404,
    );
  });

  it('answers unknown services, requests, tokens, formats and routes 404 in the error form', async () => {
    for (const path of [
      `services/nope.xml`,
      `requests/NOPE.json`,
      `tokens/ZZZZ.xml`,
      `services.html`,
      `nothing.json`,
      `requests/${'9'.repeat(500)}.xml`,
    ])
      expect(errorsOf(await t.http.get(`/open311/v2/${path}`), 404, `/open311/v2/${path}`)[0].code).toBe(
        '404',
      );
    await refusedPost(
      'requests.xml',
      () => form('requests.xml', { ...valid(), api_key: w.key, service_code: 'nope' }),
      404,
    );
    await refusedPost(
      'servicerequestupdates.xml',
      () =>
        form('servicerequestupdates.xml', { api_key: w.key, service_request_id: 'NOPE', description: 'x' }),
      404,
    );
  });

  it('names every refused argument of a POST (400), including the category form’s own rules', async () => {
    const api_key = w.key;
    const missing = await refusedPost(
      'requests.xml',
      () => form('requests.xml', { api_key, service_code: w.code }),
      400,
    );
    expect(missing.map((e) => e.description.split(':')[0])).toEqual(['lat']);
    const bad = await refusedPost(
      'requests.xml',
      () =>
        form('requests.xml', {
          api_key,
          service_code: [w.code, w.plainCode],
          lat: 'north',
          media_url: 'ftp://x/y',
          description: 'x'.repeat(4001),
        }),
      400,
    );
    expect(bad.map((e) => e.description.split(':')[0])).toEqual([
      'service_code',
      'lat',
      'long',
      'description',
      'media_url',
    ]);
    const attr = await refusedPost(
      'requests.json',
      () => form('requests.json', { ...valid(), api_key, 'attribute[size]': 'enormous' }),
      400,
    );
    expect(attr[0].description).toMatch(/^attribute\[size\]: /);
    const required = await refusedPost(
      'requests.json',
      () => form('requests.json', { ...valid(), api_key, 'attribute[size]': '' }),
      400,
    );
    expect(required[0].description).toMatch(/^attribute\[size\]: /);
    const update = await refusedPost(
      'servicerequestupdates.xml',
      () => form('servicerequestupdates.xml', { api_key, status: 'MAYBE' }),
      400,
    );
    expect(update.map((e) => e.description.split(':')[0])).toEqual([
      'service_request_id',
      'description',
      'status',
    ]);
  });

  it('refuses bodies that are not forms, too large, in another charset or with NUL, as 400 with the platform’s code', async () => {
    const key = w.key;
    const cases: [() => Promise<Response>, string][] = [
      [() => t.http.post('/open311/v2/requests.xml').send({ ...valid(), api_key: key }), '400'],
      [
        () =>
          t.http.post('/open311/v2/requests.xml').set('Content-Type', 'text/plain').send('service_code=1'),
        '400',
      ],
      [
        () => t.http.post('/open311/v2/requests.xml').set('Content-Type', 'application/xml').send('<a/>'),
        '400',
      ],
      [() => form('requests.xml', `api_key=${key}&description=${'x'.repeat(1_100_000)}`), '413'],
      [
        () =>
          t.http
            .post('/open311/v2/requests.xml')
            .set('Content-Type', 'application/x-www-form-urlencoded; charset=klingon')
            .send('a=b'),
        '415',
      ],
      [() => form('requests.xml', `api_key=${key}&service_code=a%00b&lat=1&long=2`), '400'],
      [() => form('requests.xml', Array.from({ length: 1500 }, (_, i) => `a${i}=1`).join('&')), '413'],
      [() => form('requests.xml', `api_key=${key}&service_code=%E0%A4%A&lat=%ZZ`), '400'],
    ];
    for (const [send, code] of cases) {
      const errors = await refusedPost('requests.xml', send, 400);
      expect(errors[0].code).toBe(code);
    }
  });

  it('refuses bad GET requests arguments (400, one error each) and a wrong method (400)', async () => {
    const res = await t.http.get(
      '/open311/v2/requests.xml?start_date=2010-01-01&end_date=2010-13-01T00:00:00Z&status=open,pending&page_size=0&page=x',
    );
    expect(
      errorsOf(res, 400, 'requests.xml')
        .map((e) => e.description.split(':')[0])
        .sort(),
    ).toEqual(['end_date', 'page', 'page_size', 'start_date', 'status'].sort());
    const span = await t.http.get(
      '/open311/v2/requests.json?start_date=2010-01-01T00:00:00Z&end_date=2010-06-01T00:00:00Z',
    );
    expect(errorsOf(span, 400, 'x.json')[0].description).toMatch(/^end_date: /);
    const updates = await t.http.get('/open311/v2/servicerequestupdates.xml?start_date=yesterday');
    expect(errorsOf(updates, 400, 'x.xml')[0].description).toMatch(/^start_date: /);
    const method = await t.http.delete('/open311/v2/services.xml');
    expect(errorsOf(method, 400, 'x.xml')[0].code).toBe('405');
  });

  it('never answers 500 nor an invalid document, whatever the arguments', async () => {
    const garbage = [
      '%FF',
      '%00',
      "'%20OR%201=1--",
      '__proto__',
      'a'.repeat(3000),
      '%F0%9F%99%82',
      '-1',
      '1e309',
    ];
    for (const g of garbage)
      for (const path of [
        `requests.xml?service_request_id=${g}`,
        `requests.json?service_code=${g}&status=${g}`,
        `requests.xml?start_date=${g}&page=${g}`,
        `services/${g}.xml`,
        `tokens/${g}.json`,
        `requests/${g}.xml`,
        `servicerequestupdates.xml?page_size=${g}`,
        `services.xml?jurisdiction_id=${g}`,
      ]) {
        const res = await t.http.get(`/open311/v2/${path}`);
        expect([200, 400, 404]).toContain(res.status);
        expect(res.headers['content-type']).toMatch(/^(text\/xml|application\/json); charset=utf-8$/);
        if (res.headers['content-type'].startsWith('text/xml'))
          expect(XMLValidator.validate(res.text)).toBe(true);
        else expect(() => JSON.parse(res.text)).not.toThrow();
      }
  });
});

describe('Open311 under the platform rate limiter', () => {
  it('answers 429 as problem+json with Retry-After (documented)', async () => {
    const t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '2', RATE_LIMIT_STORE: 'memory' });
    try {
      const answers: Response[] = [];
      for (let i = 0; i < 4; i++) answers.push(await t.http.get('/open311/v2/services.xml'));
      const limited = answers.find((r) => r.status === 429)!;
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.headers['retry-after']).toBeDefined();
    } finally {
      await t.close();
    }
  });
});
