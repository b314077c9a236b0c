import { UUID_RE, uuidv7 } from './uuid';

describe('uuidv7', () => {
  it('is a valid version-7 UUID with the timestamp in front', () => {
    const id = uuidv7(0x0189abcdef01);
    expect(id).toMatch(UUID_RE);
    expect(id[14]).toBe('7');
    expect(id.replace(/-/g, '').slice(0, 12)).toBe('0189abcdef01');
  });

  it('keeps ids made in the same millisecond in creation order', () => {
    const now = Date.now() + 10_000;
    const ids = Array.from({ length: 5000 }, () => uuidv7(now));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
