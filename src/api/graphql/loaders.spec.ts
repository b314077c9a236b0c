import { alignByKey, createLoaders } from './loaders';

describe('Loaders', () => {
  it('batches loads of one key within a tick and caches per request', async () => {
    const batch = jest.fn((ids: readonly string[]) => Promise.resolve(ids.map((id) => `row-${id}`)));
    const loaders = createLoaders();
    const [a, b] = await Promise.all([
      loaders.get('unit.byId', batch).load('a'),
      loaders.get('unit.byId', batch).load('b'),
    ]);
    expect([a, b]).toEqual(['row-a', 'row-b']);
    expect(batch).toHaveBeenCalledTimes(1);
    expect(batch).toHaveBeenCalledWith(['a', 'b']);

    await loaders.get('unit.byId', batch).load('a');
    expect(batch).toHaveBeenCalledTimes(1);
    expect(loaders.size).toBe(1);
  });

  it('keeps requests apart: a new registry has its own loaders and cache', async () => {
    const batch = jest.fn((ids: readonly number[]) => Promise.resolve(ids.map((n) => n * 2)));
    await createLoaders().get('double', batch).load(1);
    await createLoaders().get('double', batch).load(1);
    expect(batch).toHaveBeenCalledTimes(2);
  });

  it('keeps keys apart within a request', async () => {
    const loaders = createLoaders();
    const upper = loaders.get('upper', (ks: readonly string[]) =>
      Promise.resolve(ks.map((k) => k.toUpperCase())),
    );
    const len = loaders.get('len', (ks: readonly string[]) => Promise.resolve(ks.map((k) => k.length)));
    expect(upper).not.toBe(len);
    expect(await Promise.all([upper.load('ab'), len.load('ab')])).toEqual(['AB', 2]);
  });
});

describe('alignByKey', () => {
  it('orders rows by the requested keys with null for missing ones', () => {
    const rows = [{ id: 'b' }, { id: 'a' }];
    expect(alignByKey(['a', 'x', 'b'], rows, (r) => r.id)).toEqual([{ id: 'a' }, null, { id: 'b' }]);
  });
});
