import { hashedTag } from './etag.interceptor';
import { representationOf } from './representation';
import { cacheKey, PUBLISHED_CACHE_CONTROL, ReadCache } from './shared-read-cache';

describe('ReadCache', () => {
  let clock = 0;
  const make = (maxEntries = 3, ttlMs = 1000) => new ReadCache({ maxEntries, ttlMs, now: () => clock });
  const loader = (value: string) => {
    const load = jest.fn(() => Promise.resolve({ value }));
    return load;
  };

  beforeEach(() => {
    clock = 0;
  });

  it('loads once, then serves the same body with its JSON, ETag and Cache-Control', async () => {
    const cache = make();
    const load = loader('a');
    const first = await cache.get('k', load);
    const second = await cache.get('k', load);
    expect(second).toBe(first);
    expect(load).toHaveBeenCalledTimes(1);
    const rep = representationOf(first)!;
    expect(rep.json).toBe('{"value":"a"}');
    expect(rep.etag).toBe(hashedTag('{"value":"a"}'));
    expect(rep.cacheControl).toBe(PUBLISHED_CACHE_CONTROL);
    // The representation is invisible to JSON and frozen against accidental edits.
    expect(JSON.stringify(first)).toBe('{"value":"a"}');
    expect(Object.isFrozen(first)).toBe(true);
    expect(cache.hits).toBe(1);
  });

  it('shares one load between concurrent misses', async () => {
    const cache = make();
    let release!: () => void;
    const load = jest.fn(() => new Promise<{ v: number }>((ok) => (release = () => ok({ v: 1 }))));
    const both = Promise.all([cache.get('k', load), cache.get('k', load)]);
    release();
    const [a, b] = await both;
    expect(a).toBe(b);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not store failures', async () => {
    const cache = make();
    await expect(cache.get('k', () => Promise.reject(new Error('404')))).rejects.toThrow('404');
    const load = loader('ok');
    await expect(cache.get('k', load)).resolves.toEqual({ value: 'ok' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('evicts the least recently used entry past its bound', async () => {
    const cache = make(2);
    const a = loader('a');
    await cache.get('a', a);
    await cache.get('b', loader('b'));
    await cache.get('a', a); // a is now the most recent
    await cache.get('c', loader('c')); // evicts b
    expect(cache.size).toBe(2);
    const never = loader('never');
    await cache.get('a', never);
    await cache.get('c', never);
    expect(never).not.toHaveBeenCalled();
    const b = loader('b2');
    await cache.get('b', b);
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('reloads after the TTL', async () => {
    const cache = make(3, 1000);
    const load = loader('a');
    await cache.get('k', load);
    clock = 999;
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(1);
    clock = 1000;
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('clear() drops everything, and a load begun before it is not stored', async () => {
    const cache = make();
    await cache.get('k', loader('old'));
    cache.clear();
    expect(cache.size).toBe(0);

    let release!: () => void;
    const slow = jest.fn(() => new Promise<{ v: string }>((ok) => (release = () => ok({ v: 'stale' }))));
    const pending = cache.get('k2', slow);
    cache.clear(); // a publication lands while the read is in flight
    release();
    await expect(pending).resolves.toEqual({ v: 'stale' });
    const fresh = loader('fresh');
    await expect(cache.get('k2', fresh)).resolves.toEqual({ value: 'fresh' });
    expect(fresh).toHaveBeenCalledTimes(1);
  });

  it('loads through without storing while disabled', async () => {
    const cache = make();
    cache.enabled = false;
    const load = loader('a');
    const body = await cache.get('k', load);
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
    expect(representationOf(body)?.etag).toBe(hashedTag('{"value":"a"}'));
  });
});

describe('cacheKey', () => {
  it('ignores field order and empty fields, and separates languages and kinds', () => {
    expect(cacheKey('list', 'zh-CN', { b: 1, a: 'x', c: undefined, d: '' })).toBe(
      cacheKey('list', 'zh-CN', { a: 'x', b: 1 }),
    );
    expect(cacheKey('list', 'en', { a: 'x' })).not.toBe(cacheKey('list', 'zh-CN', { a: 'x' }));
    expect(cacheKey('guide', 'en', { a: 'x' })).not.toBe(cacheKey('list', 'en', { a: 'x' }));
  });
});
