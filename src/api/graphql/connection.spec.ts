import { toConnection } from './connection';

describe('toConnection totalCount', () => {
  const page = (totalCount?: number | null | (() => Promise<number>)) =>
    toConnection([{ id: 'a' }], { cursorOf: (n) => n.id, hasNextPage: true, totalCount });

  it('runs a count function only when the field is read (the query selects totalCount)', async () => {
    const count = jest.fn(() => Promise.resolve(42));
    const c = page(count);
    expect(c.edges).toEqual([{ cursor: 'a', node: { id: 'a' } }]);
    expect(count).not.toHaveBeenCalled();
    await expect(c.totalCount).resolves.toBe(42);
    expect(count).toHaveBeenCalledTimes(1);
  });

  it('keeps a known number, and null where the list cannot count', () => {
    expect(page(7).totalCount).toBe(7);
    expect(page().totalCount).toBeNull();
    expect(page(null).totalCount).toBeNull();
  });
});
