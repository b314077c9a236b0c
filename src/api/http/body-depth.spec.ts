import { nestsDeeperThan } from './body-depth';

const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('nestsDeeperThan', () => {
  it('counts objects and arrays as levels; scalars and null are not levels', () => {
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan({}, 0)).toBe(true);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan(nested(32), 32)).toBe(false);
    expect(nestsDeeperThan(nested(33), 32)).toBe(true);
  });

  it('finds the deep branch among shallow siblings', () => {
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: 3 }], d: nested(40) }, 32)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: [1, 2, { c: 3 }], d: nested(10) }, 32)).toBe(false);
  });

  it('walks 100 000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(nestsDeeperThan(deep, 32)).toBe(true);
  });
});
