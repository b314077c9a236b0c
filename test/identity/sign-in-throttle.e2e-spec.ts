import { performance } from 'node:perf_hooks';
import { PersonalDataService } from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { startTestApp, TestApp } from '../support/test-app';
import { PASSWORD, signedInCitizen, uniquePhone } from './citizen-fixtures';

/**
 * Sign-in throttling (OWASP: throttle, do not lock). supertest connects over loopback and
 * TRUST_PROXY=loopback honours X-Forwarded-For, so each test can speak from addresses of its own.
 */
describe('sign-in throttling', () => {
  let t: TestApp;
  beforeAll(
    async () => (t = await startTestApp({ TRUST_PROXY: 'loopback', RATE_LIMIT_ANONYMOUS: '100000' })),
  );
  afterAll(() => t.close());

  let next = Math.floor(Math.random() * 200);
  /** A documentation address (RFC 5737) no other test of this run speaks from. */
  const freshAddress = () => `198.51.${100 + (next >> 8)}.${next++ & 255}`;
  const login = (body: Record<string, string>, from: string) =>
    t.http.post('/v1/auth/login').set('X-Forwarded-For', from).send(body);
  /** The stored count under a key, found by its keyed hash (the table holds no logins or addresses). */
  const throttleRow = async (name: string) =>
    (
      await t.db.query<{ failures: number; last_failure_at: Date | null; next_attempt_at: Date | null }>(
        'SELECT failures, last_failure_at, next_attempt_at FROM login_throttle WHERE key = $1',
        [t.app.get(PersonalDataService).keyedHash('login-throttle', name)],
      )
    )[0];
  const accountRow = async (id: string) =>
    (await t.db.query('SELECT * FROM account WHERE id = $1', [id]))[0] as Record<string, unknown>;
  /** What a client can see of an answer, minus what differs per request. */
  const visible = (r: {
    status: number;
    body: Record<string, unknown>;
    headers: Record<string, string>;
  }) => ({
    status: r.status,
    code: r.body.code,
    title: r.body.title,
    detail: r.body.detail,
    retryAfter: r.headers['retry-after'],
    keys: Object.keys(r.body).sort(),
  });

  it('answers a known and an unknown login alike, attempt by attempt, and counts both alike', async () => {
    const c = await signedInCitizen(t);
    const before = await accountRow(c.id);
    const unknown = uniquePhone();
    const [a, b] = [freshAddress(), freshAddress()];
    const known: unknown[] = [];
    const stranger: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(visible(await login({ login: c.phone, password: `Wrong-password-${i}` }, a)));
      stranger.push(visible(await login({ login: unknown, password: `Wrong-password-${i}` }, b)));
    }
    expect(known).toEqual(stranger);
    expect(known.map((r) => (r as { status: number }).status)).toEqual([401, 401, 401, 429, 429]);
    expect(known[3]).toMatchObject({ code: 'RATE_LIMITED', retryAfter: '1' });
    // The same state is kept for both, and none of it on the account.
    const k = await throttleRow(`login:phone:${c.phone}`);
    const u = await throttleRow(`login:phone:${unknown}`);
    expect(k.failures).toBe(3);
    expect(u.failures).toBe(3);
    expect(await accountRow(c.id)).toEqual(before);
  });

  it('takes about as long for an unknown login as for a wrong password', async () => {
    const c = await signedInCitizen(t);
    const time = async (who: string) => {
      const started = performance.now();
      const res = await login({ login: who, password: 'Wrong-password-x' }, freshAddress());
      expect(res.status).toBe(401);
      return performance.now() - started;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Alternated, so load on the machine falls on both alike; within the login's free failures.
    for (let i = 0; i < 9; i++) {
      known.push(await time(c.phone));
      unknown.push(await time(uniquePhone()));
    }
    // Lower quartiles: load from other processes only ever adds time, so they show the work done.
    const quartile = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 2];
    const [qk, qu] = [quartile(known), quartile(unknown)];
    // Both hash a password (argon2, tens of milliseconds); neither answers early.
    expect(Math.min(qk, qu) / Math.max(qk, qu)).toBeGreaterThan(0.5);
    expect(Math.min(qk, qu)).toBeGreaterThan(5);
  });

  it('doubles the wait for one address guessing one login, and the guesser waits, not the owner', async () => {
    const c = await signedInCitizen(t);
    const attacker = freshAddress();
    for (let i = 0; i < 3; i++)
      expect((await login({ login: c.phone, password: `Wrong-${i}-password` }, attacker)).status).toBe(401);
    const first = await login({ login: c.phone, password: 'Wrong-3-password' }, attacker);
    expect(first.status).toBe(429);
    expect(first.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(first.headers['retry-after']).toBe('1');
    expect(first.headers['content-type']).toMatch(/^application\/problem\+json/);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await login({ login: c.phone, password: 'Wrong-4-password' }, attacker)).status).toBe(401);
    const second = await login({ login: c.phone, password: 'Wrong-5-password' }, attacker);
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('2');
    // A refused attempt is not counted: the pair stays at four failures.
    expect((await throttleRow(`pair:${attacker}|phone:${c.phone}`)).failures).toBe(4);

    // The owner, from their own address, is not held up by the guesser's pair.
    const owner = await login({ login: c.phone, password: c.password }, freshAddress());
    expect(owner.status).toBe(200);
    expect(owner.body.accessToken).toEqual(expect.any(String));
    // Success clears the login's count; the guesser's address is still made to wait.
    expect(await throttleRow(`login:phone:${c.phone}`)).toBeUndefined();
    expect((await login({ login: c.phone, password: c.password }, attacker)).status).toBe(429);
  });

  it('bounds what guesses from many addresses can make the owner wait (a minute), with no lock', async () => {
    const c = await signedInCitizen(t);
    // Two failures each from five addresses: no pair is slowed; the login's tenth starts a wait.
    for (let i = 0; i < 5; i++) {
      const from = freshAddress();
      for (let j = 0; j < 2; j++)
        expect((await login({ login: c.phone, password: `Wrong-${i}-${j}-pw` }, from)).status).toBe(401);
    }
    const owner = freshAddress();
    const held = await login({ login: c.phone, password: c.password }, owner);
    expect(held.status).toBe(429);
    expect(held.headers['retry-after']).toBe('1');

    // However many guesses have been made, one more costs the owner a minute at most.
    await t.db.query('UPDATE login_throttle SET failures = 1000, next_attempt_at = NULL WHERE key = $1', [
      t.app.get(PersonalDataService).keyedHash('login-throttle', `login:phone:${c.phone}`),
    ]);
    expect((await login({ login: c.phone, password: 'Wrong-last-pw' }, freshAddress())).status).toBe(401);
    const row = await throttleRow(`login:phone:${c.phone}`);
    expect(+row.next_attempt_at! - +row.last_failure_at!).toBe(60_000);
    const capped = await login({ login: c.phone, password: c.password }, owner);
    expect(capped.status).toBe(429);
    expect(Number(capped.headers['retry-after'])).toBeLessThanOrEqual(60);

    // Once the wait is over, the right password works at once: nothing was locked.
    await t.db.query(
      "UPDATE login_throttle SET next_attempt_at = now() - interval '1 second' WHERE key = $1",
      [t.app.get(PersonalDataService).keyedHash('login-throttle', `login:phone:${c.phone}`)],
    );
    expect((await login({ login: c.phone, password: c.password }, owner)).status).toBe(200);
  });

  it('slows one address spraying many logins after a hundred failures', async () => {
    const sprayer = freshAddress();
    for (let i = 0; i < 100; i++)
      expect((await login({ login: uniquePhone(), password: PASSWORD }, sprayer)).status).toBe(401);
    const res = await login({ login: uniquePhone(), password: PASSWORD }, sprayer);
    expect(res.status).toBe(429);
    expect(res.body.code).toBe('RATE_LIMITED');
    expect(res.headers['retry-after']).toBe('1');
    // Another address is not affected.
    expect((await login({ login: uniquePhone(), password: PASSWORD }, freshAddress())).status).toBe(401);
  }, 120_000);

  it('gives a burst of parallel guesses no more tries than a sequence', async () => {
    const c = await signedInCitizen(t);
    const from = freshAddress();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => login({ login: c.phone, password: `Parallel-${i}-pw` }, from)),
    );
    const statuses = answers.map((r) => r.status).sort();
    // Two free failures and the third, which starts the wait; every other attempt waits.
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    expect((await throttleRow(`pair:${from}|phone:${c.phone}`)).failures).toBe(3);
  });

  it('throttles the GraphQL login mutation alike, and a refusal stores nothing', async () => {
    const c = await signedInCitizen(t);
    const from = freshAddress();
    const gqlLogin = (password: string) =>
      t.http
        .post('/graphql')
        .set('X-Forwarded-For', from)
        .send({
          query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
          variables: { i: { login: c.phone, password } },
        });
    for (let i = 0; i < 3; i++)
      expect((await gqlLogin(`Wrong-${i}-password`)).body.errors[0].extensions.code).toBe(
        'INVALID_CREDENTIALS',
      );
    const state = () =>
      Promise.all(
        [`login:phone:${c.phone}`, `source:${from}`, `pair:${from}|phone:${c.phone}`].map(throttleRow),
      );
    const before = await state();
    const refused = await gqlLogin(c.password);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(refused.body.data).toBeNull();
    expect(await state()).toEqual(before);
  });

  it('throttles current-password guesses by a signed-in session (password change)', async () => {
    const c = await signedInCitizen(t);
    const change = (currentPassword: string) =>
      t.http
        .post('/v1/me/password')
        .set('Authorization', `Bearer ${c.accessToken}`)
        .send({ currentPassword, newPassword: 'Brand-new-pass-42' });
    for (let i = 0; i < 3; i++) expect((await change(`Wrong-${i}-password`)).status).toBe(400);
    const res = await change(c.password);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    // Nothing changed: the old password still signs in.
    expect((await login({ login: c.phone, password: c.password }, freshAddress())).status).toBe(200);
  });
});
