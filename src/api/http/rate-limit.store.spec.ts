import { MemoryRateLimitStore } from './rate-limit.store';

describe('MemoryRateLimitStore', () => {
  const stores: MemoryRateLimitStore[] = [];
  const make = (opts?: ConstructorParameters<typeof MemoryRateLimitStore>[0]) => {
    const s = new MemoryRateLimitStore(opts);
    stores.push(s);
    return s;
  };
  afterAll(() => stores.forEach((s) => s.onModuleDestroy()));

  it('counts hits per key within one fixed window', async () => {
    const s = make();
    const t0 = 1_000_000;
    expect(await s.hit('a', 60_000, t0)).toEqual({ count: 1, resetAt: t0 + 60_000 });
    expect(await s.hit('a', 60_000, t0 + 10)).toEqual({ count: 2, resetAt: t0 + 60_000 });
    expect(await s.hit('b', 60_000, t0 + 20)).toEqual({ count: 1, resetAt: t0 + 60_020 });
    expect(await s.hit('a', 60_000, t0 + 59_999)).toEqual({ count: 3, resetAt: t0 + 60_000 });
  });

  it('starts a new window once the old one has ended', async () => {
    const s = make();
    const t0 = 5_000;
    await s.hit('a', 1000, t0);
    await s.hit('a', 1000, t0 + 1);
    expect(await s.hit('a', 1000, t0 + 1000)).toEqual({ count: 1, resetAt: t0 + 2000 });
  });

  it('sweeps ended windows and keeps live ones', async () => {
    const s = make();
    await s.hit('old', 1000, 0);
    await s.hit('live', 1000, 900);
    expect(s.sweep(1000)).toBe(1);
    expect(s.size).toBe(1);
    expect((await s.hit('live', 1000, 1500)).count).toBe(2);
  });

  it('stays within maxKeys, sweeping first and then evicting the oldest window', async () => {
    const s = make({ maxKeys: 3 });
    await s.hit('k1', 1000, 0);
    await s.hit('k2', 10_000, 0);
    await s.hit('k3', 10_000, 0);
    // k1 has expired: sweeping frees its slot, k2 and k3 keep their counts.
    await s.hit('k4', 10_000, 2000);
    expect(s.size).toBe(3);
    expect((await s.hit('k2', 10_000, 2001)).count).toBe(2);
    // Nothing has expired now: the oldest window (k2) is evicted, so k2 starts again at 1.
    await s.hit('k5', 10_000, 2002);
    expect(s.size).toBe(3);
    expect((await s.hit('k2', 10_000, 2003)).count).toBe(1);
    expect((await s.hit('k5', 10_000, 2004)).count).toBe(2);
  });

  it('survives a flood of distinct keys with bounded size', async () => {
    const s = make({ maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) await s.hit(`ip:${i}`, 60_000, i);
    expect(s.size).toBe(100);
  });
});
