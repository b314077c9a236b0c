import { randomUUID } from 'node:crypto';
import type { TestApp } from './test-app';

export type Vars = Record<string, unknown>;

/**
 * A GraphQL mutation that passes `$key` as its idempotencyKey argument, with what
 * expectOncePerKey needs to try it. `C` is whatever a spec calls its callers (tokens, people).
 */
export interface KeyedMutation<C> {
  query: string;
  /** two callers who may both run the mutation; read when the test runs */
  callers(): [C, C];
  headers(caller: C): Record<string, string>;
  /** the variables of a new request by the caller (a new target where the mutation moves one along) */
  fresh(caller: C): Promise<Vars>;
  /** the same target with another input: another request under the same key */
  changed(vars: Vars): Vars;
  /** what the mutation has done so far, counted in SQL */
  effects(): Promise<number>;
  /** the REST twin of the request: path, body and success status */
  rest(vars: Vars): { path: string; body: object; status: number };
  /** runs before the retry where a second run would otherwise not show (a throttle to lift) */
  beforeRetry?(): Promise<void>;
}

/**
 * The idempotencyKey contract, through POST /graphql: a retry with the key gets the first answer
 * and does nothing more, and the REST twin replays it under the same key; the key with another
 * request is IDEMPOTENCY_KEY_REUSED; another caller's same key is their own; a malformed key is
 * IDEMPOTENCY_KEY_INVALID; without a key the mutation simply runs. Effects are counted as deltas.
 */
export async function expectOncePerKey<C>(t: TestApp, m: KeyedMutation<C>): Promise<void> {
  const [me, other] = m.callers();
  const call = (who: C, variables: Vars) =>
    t.http.post('/graphql').set(m.headers(who)).send({ query: m.query, variables });
  const ok = async (who: C, variables: Vars) => {
    const res = await call(who, variables);
    expect([res.status, res.body.errors]).toEqual([200, undefined]);
    return res.body as { data: Record<string, unknown> };
  };
  const codeOf = async (variables: Vars) => (await call(me, variables)).body.errors?.[0]?.extensions?.code;
  const key = `gql-${randomUUID()}`;
  const before = await m.effects();

  const vars = await m.fresh(me);
  const first = await ok(me, { ...vars, key });
  await m.beforeRetry?.();
  expect(await ok(me, { ...vars, key })).toEqual(first);
  expect(await m.effects()).toBe(before + 1);
  const twin = m.rest(vars);
  const replayed = await t.http
    .post(twin.path)
    .set(m.headers(me))
    .set('Idempotency-Key', key)
    .send(twin.body)
    .expect(twin.status);
  expect(replayed.headers['idempotent-replayed']).toBe('true');

  expect(await codeOf({ ...m.changed(vars), key })).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(await m.effects()).toBe(before + 1);

  await ok(other, { ...(await m.fresh(other)), key });
  expect(await m.effects()).toBe(before + 2);

  const next = await m.fresh(me);
  for (const bad of ['has spaces', '', 'k'.repeat(256)])
    expect(await codeOf({ ...next, key: bad })).toBe('IDEMPOTENCY_KEY_INVALID');
  expect(await m.effects()).toBe(before + 2);
  await ok(me, next);
  expect(await m.effects()).toBe(before + 3);
}
