import { existsSync } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';
import { signedInCitizen } from '../identity/citizen-fixtures';
import { makeUnit } from '../identity/staff-fixtures';
import { startTestApp, TestApp } from '../support/test-app';
import { publishServiceWithWorkflow } from '../support/workflow-fixtures';
import { freePort } from '../support/built-server';

/**
 * /docs (Swagger UI) and /graphql (GraphiQL) in a real browser: Debian's Chromium, driven by
 * playwright-core. Every page must load with no failed request, no console error, no CSP
 * violation and no request to any host but the API's (both pages are promised to work offline):
 * the browser resolves the API's name to 127.0.0.1 and no other name at all.
 * .ci/run installs Chromium; without it the suite is skipped, saying so.
 */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const HOST = 'onewindow.test';
if (!haveChromium) {
  // eslint-disable-next-line no-console
  console.warn(`browser.e2e-spec skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
}
const describeWithChromium = haveChromium ? describe : describe.skip;

jest.setTimeout(90_000);

/** What went wrong while a page was open: each list must stay empty. */
interface Trouble {
  failed: string[];
  console: string[];
  csp: string[];
  foreign: string[];
}

async function openPage(browser: Browser, origin: string): Promise<{ page: Page; trouble: Trouble }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const trouble: Trouble = { failed: [], console: [], csp: [], foreign: [] };
  const host = new URL(origin).host;
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'data:' || url.protocol === 'blob:') return;
    if (url.host !== host) trouble.foreign.push(r.url());
  });
  page.on('requestfailed', (r) => trouble.failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) trouble.failed.push(`${r.url()}: ${r.status()}`);
  });
  page.on('console', (m) => {
    // Chromium's notice that COOP applies over https only (the test serves plain http).
    if (/Cross-Origin-Opener-Policy header has been ignored/.test(m.text())) return;
    if (m.type() === 'error') trouble.console.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => trouble.console.push(`uncaught: ${e.message}`));
  await page.exposeFunction('__reportCsp', (v: string) => trouble.csp.push(v));
  // Page-side code as text: the test project compiles without the DOM library.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      window.__reportCsp(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  return { page, trouble };
}

interface Answer {
  data: { apiInfo: { name: string }; services: { edges: { node: { id: string } }[] } };
}
const idsOf = (a: Answer) => a.data.services.edges.map((e) => e.node.id);

function expectNoTrouble(trouble: Trouble): void {
  expect(trouble).toEqual({ failed: [], console: [], csp: [], foreign: [] });
}

describeWithChromium('Swagger UI and GraphiQL in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    const port = await freePort();
    // A name rather than 127.0.0.1, as a real deployment has: Swagger UI, for one, behaves
    // differently on localhost. Chromium resolves it, and nothing else, to 127.0.0.1.
    origin = `http://${HOST}:${port}`;
    t = await startTestApp({ PUBLIC_BASE_URL: origin });
    await t.app.listen(port, '127.0.0.1');
    // A fresh profile each run: launch() gives the browser its own temporary user-data-dir.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Offline, as on a closed government network: any other host fails to resolve (and is
        // recorded as a failed, foreign request).
        `--host-resolver-rules=MAP ${HOST} 127.0.0.1, MAP * ~NOTFOUND`,
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** The operation block for one method and path (Swagger UI renders one per operation). */
  const operation = (page: Page, method: string, path: string) =>
    page.locator(`.opblock.opblock-${method}`, {
      has: page.locator(`.opblock-summary-path[data-path="${path}"]`),
    });

  /** A tag's header (Swagger UI lists the tags collapsed; a click opens one). */
  const tag = (page: Page, name: string) => page.locator(`.opblock-tag[data-tag="${name}"]`);

  /** Try it out → Execute; answers the status and body Swagger UI shows for the live call. */
  async function tryItOut(
    page: Page,
    method: string,
    path: string,
  ): Promise<{ status: string; body: string }> {
    const op = operation(page, method, path);
    await op.locator('.opblock-summary').first().click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    const live = op.locator('.live-responses-table .response');
    await live.first().waitFor();
    return {
      status: (await live.locator('.response-col_status').first().innerText()).trim(),
      body: await live.locator('.response-col_description pre').first().innerText(),
    };
  }

  for (const path of ['/docs', '/docs/']) {
    it(`${path} renders the operations list, and Try it out answers (public, then with a bearer token)`, async () => {
      const citizen = await signedInCitizen(t);
      const { page, trouble } = await openPage(browser, origin);
      const answer = await page.goto(origin + path);
      expect(answer?.status()).toBe(200);
      // Before the fix, /docs stayed a blank page here (its assets 404ed at /swagger-ui.css).
      await tag(page, 'services').waitFor({ timeout: 30_000 });
      // Every tag of the document is listed (collapsed), and opening one shows its operations.
      const tags = ((await t.http.get('/openapi.json').expect(200)).body as { tags: unknown[] }).tags;
      await expect(page.locator('.opblock-tag').count()).resolves.toBe(tags.length);
      await tag(page, 'services').click();
      await tag(page, 'me').click();
      await operation(page, 'get', '/v1/services').waitFor({ timeout: 30_000 });
      expect(new URL(page.url()).pathname).toBe('/docs/');
      await expect(operation(page, 'get', '/v1/me').count()).resolves.toBe(1);

      // A public operation, before signing in.
      const services = await tryItOut(page, 'get', '/v1/services');
      expect(services.status).toBe('200');
      expect(JSON.parse(services.body)).toEqual(expect.objectContaining({ items: expect.any(Array) }));

      // Authorize with the citizen's access token (POST /v1/auth/login, in signedInCitizen).
      await page.locator('.btn.authorize').first().click();
      const bearer = page.locator('.modal-ux .auth-container', { hasText: 'bearer' });
      await bearer.locator('input').fill(citizen.accessToken);
      await bearer.locator('button.authorize').click();
      await bearer.getByText('Authorized', { exact: true }).waitFor();
      await bearer.getByRole('button', { name: 'Remove authorization' }).waitFor();
      await page.locator('.modal-ux button.close-modal').click();

      const me = await tryItOut(page, 'get', '/v1/me');
      expect(me.status).toBe('200');
      expect(JSON.parse(me.body)).toEqual(expect.objectContaining({ id: citizen.id }));

      expectNoTrouble(trouble);
      await page.context().close();
    });
  }

  it('/graphql serves GraphiQL from our own origin, and a query run in it shows its result', async () => {
    const query = '{ apiInfo { name } services(first: 2) { edges { node { id } } } }';
    // At least one published service, so the result has ids to compare.
    await publishServiceWithWorkflow(t, await makeUnit(t, '浏览器测试单位'));
    const direct = await t.http.post('/graphql').send({ query }).expect(200);
    const ids = idsOf(direct.body as Answer);
    expect(ids.length).toBeGreaterThan(0);

    const { page, trouble } = await openPage(browser, origin);
    const answer = await page.goto(origin + '/graphql');
    expect(answer?.status()).toBe(200);
    expect(answer?.headers()['content-type']).toMatch(/^text\/html/);
    const editor = page.locator('.graphiql-query-editor .CodeMirror');
    await editor.waitFor({ timeout: 30_000 });

    await editor.evaluate(
      (el, q) => (el as unknown as { CodeMirror: { setValue(v: string): void } }).CodeMirror.setValue(q),
      query,
    );
    await page.locator('button.graphiql-execute-button').click();
    const result = page.locator('.graphiql-response .CodeMirror');
    const resultText = () =>
      result.evaluate((el) =>
        (el as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue(),
      );
    await page.locator('.graphiql-response', { hasText: '"OneWindow"' }).waitFor({ timeout: 20_000 });
    const shown = JSON.parse(await resultText()) as Answer;
    expect(shown).toEqual(direct.body);
    expect(idsOf(shown)).toEqual(ids);
    // What the user sees, not only the editor's model.
    await expect(result.innerText()).resolves.toContain('OneWindow');

    expectNoTrouble(trouble);
    await page.context().close();
  });
});

/** The same pages as HTTP sees them; runs with or without Chromium. */
describe('/docs and the GraphQL IDE over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t.close());

  it('redirects /docs to /docs/ (keeping the query), where the page and its assets are', async () => {
    const bare = await t.http.get('/docs').expect(301);
    expect(bare.headers.location).toBe('/docs/');
    expect((await t.http.get('/docs?x=1').expect(301)).headers.location).toBe('/docs/?x=1');
    const page = await t.http.get('/docs/').expect(200);
    expect(page.text).toContain('./swagger-ui-bundle.js');
    await t.http
      .get('/docs/swagger-ui.css')
      .expect(200)
      .expect('content-type', /text\/css/);
  });

  it('answers a browser at GET /graphql with GraphiQL whose files all come from this origin', async () => {
    const page = await t.http.get('/graphql').set('Accept', 'text/html,*/*;q=0.8').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // No inline script allowed, and none needed.
    expect(page.headers['content-security-policy'].split(';')).toContain("script-src 'self'");
    expect(page.text).not.toMatch(/<script>|https?:\/\//);
    const files = [...page.text.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]);
    expect(files).toHaveLength(5);
    for (const file of files) {
      const res = await t.http.get(file).expect(200);
      expect(res.headers['content-type']).toMatch(/javascript|css/);
      expect(Number(res.headers['content-length'] ?? res.text.length)).toBeGreaterThan(100);
    }
  });

  it('leaves GraphQL clients to Apollo: JSON GETs and POSTs are answered as before', async () => {
    const get = await t.http
      .get('/graphql')
      .query({ query: '{ apiInfo { name } }' })
      .set('Accept', 'application/json')
      .set('apollo-require-preflight', 'true')
      .expect(200);
    expect(get.body).toEqual({ data: { apiInfo: { name: 'OneWindow' } } });
    const post = await t.http.post('/graphql').send({ query: '{ apiInfo { name } }' }).expect(200);
    expect(post.body).toEqual({ data: { apiInfo: { name: 'OneWindow' } } });
  });
});
