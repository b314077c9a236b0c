import { mayRun, nextAfterFailure, OrderedDelivery } from './delivery-rules';
import { EventCatalogue, S } from './event-catalogue';

const d = (
  aggregate: string,
  sequence: number,
  status: OrderedDelivery['status'],
  subscriber = 's',
): OrderedDelivery => ({
  subscriber,
  aggregate,
  sequence,
  status,
});

describe('delivery ordering', () => {
  it("runs an aggregate's events one after another, each once the earlier ones are done", () => {
    const all = [d('a', 1, 'pending'), d('a', 2, 'pending'), d('b', 1, 'pending')];
    expect(all.filter((x) => mayRun(x, all)).map((x) => `${x.aggregate}${x.sequence}`)).toEqual(['a1', 'b1']);
    all[0].status = 'running';
    expect(mayRun(all[1], all)).toBe(false);
    all[0].status = 'done';
    expect(mayRun(all[1], all)).toBe(true);
  });

  it('holds later events behind a retrying or dead one, for that subscriber only', () => {
    const all = [d('a', 1, 'dead'), d('a', 2, 'pending'), d('a', 1, 'done', 't'), d('a', 2, 'pending', 't')];
    expect(mayRun(all[1], all)).toBe(false);
    expect(mayRun(all[3], all)).toBe(true);
  });

  it('retries until the last attempt, then gives up as dead', () => {
    expect(nextAfterFailure(1, 3)).toBe('pending');
    expect(nextAfterFailure(2, 3)).toBe('pending');
    expect(nextAfterFailure(3, 3)).toBe('dead');
    expect(nextAfterFailure(4, 3)).toBe('dead');
  });
});

describe('EventCatalogue', () => {
  const catalogue = new EventCatalogue();
  catalogue.register({
    type: 'thing.happened',
    version: 1,
    description: 'a thing happened',
    schema: S.object({ thingId: S.uuid, kind: S.code, note: S.nullableCode }, ['note']),
  });
  const ok = { thingId: '0190a1b2-0000-7000-8000-000000000001', kind: 'big' };

  it('accepts a payload its schema allows', () => {
    expect(catalogue.check('thing.happened', ok).version).toBe(1);
    expect(catalogue.list().map((t) => t.type)).toEqual(['thing.happened']);
  });

  it('refuses an unregistered type, a missing field, a wrong format and any field it does not name', () => {
    expect(() => catalogue.check('thing.vanished', ok)).toThrow(/not registered/);
    expect(() => catalogue.check('thing.happened', { kind: 'big' })).toThrow(/thingId/);
    expect(() => catalogue.check('thing.happened', { ...ok, thingId: 'x' })).toThrow(/format/);
    expect(() => catalogue.check('thing.happened', { ...ok, phone: '13800138000' })).toThrow(
      /additional properties/,
    );
  });

  it('refuses a second registration, a badly named type and an open schema', () => {
    const schema = S.object({ id: S.uuid });
    expect(() => catalogue.register({ type: 'thing.happened', version: 1, description: '', schema })).toThrow(
      /already registered/,
    );
    expect(() => catalogue.register({ type: 'Thing', version: 1, description: '', schema })).toThrow(
      /aggregate.verb/,
    );
    expect(() =>
      catalogue.register({ type: 'thing.opened', version: 1, description: '', schema: { type: 'object' } }),
    ).toThrow(/additionalProperties: false/);
  });
});
