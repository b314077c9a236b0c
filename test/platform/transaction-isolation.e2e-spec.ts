import { Region } from '../../src/modules/platform/organisations/organisation.entity';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

const code = () => `97${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;

/**
 * PGlite is a single session; the app must serialise access so that a transaction that rolls
 * back cannot take a concurrent request's rows with it, nor leak its own (the failure mode of
 * sharing one session between transactions). Runs on PostgreSQL too, where it must also hold.
 */
describe('transaction isolation', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp();
    admin = await scopedToken(t, 'staff', ['organisation:manage']);
  });
  afterAll(() => t.close());

  it('keeps a concurrent request committed while another transaction rolls back', async () => {
    const doomed = code();
    const kept = code() + '1';
    const rollback = t.db
      .transaction(async (m) => {
        await m
          .getRepository(Region)
          .insert({ code: doomed, name: '回滚', level: 'province' as never, parentCode: null });
        await new Promise((r) => setTimeout(r, 100));
        throw new Error('roll back on purpose');
      })
      .catch((e: Error) => e.message);
    const request = t.http
      .post('/v1/regions')
      .set('Authorization', `Bearer ${admin}`)
      .send({ code: kept.slice(0, 6), name: '保留', level: 'province' });
    const [rolledBack, res] = await Promise.all([rollback, request]);
    expect(rolledBack).toBe('roll back on purpose');
    expect(res.status).toBe(201);
    const rows = await t.db.query<{ code: string }>('SELECT code FROM region WHERE code = ANY($1)', [
      [doomed, kept.slice(0, 6)],
    ]);
    expect(rows.map((r) => r.code)).toEqual([kept.slice(0, 6)]);
  });

  it('rolls back every statement of a failed transaction and keeps a concurrent one', async () => {
    const a = code();
    const b = code();
    const failing = t.db
      .transaction(async (m) => {
        await m
          .getRepository(Region)
          .insert({ code: a, name: 'A', level: 'province' as never, parentCode: null });
        await new Promise((r) => setTimeout(r, 50));
        throw new Error('boom');
      })
      .catch(() => 'failed');
    const succeeding = t.db.transaction(async (m) => {
      await m
        .getRepository(Region)
        .insert({ code: b, name: 'B', level: 'province' as never, parentCode: null });
      return 'ok';
    });
    expect(await Promise.all([failing, succeeding])).toEqual(['failed', 'ok']);
    const rows = await t.db.query<{ code: string }>(
      'SELECT code FROM region WHERE code = ANY($1) ORDER BY code',
      [[a, b]],
    );
    expect(rows.map((r) => r.code)).toEqual([b]);
  });
});
