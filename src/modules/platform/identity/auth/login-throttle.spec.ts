import { delaySeconds, LOGIN_POLICY, PAIR_POLICY, signInKeys, SOURCE_POLICY } from './login-throttle';

describe('login throttle delays', () => {
  it('waits after the free failures, doubling up to the cap', () => {
    const waits = Array.from({ length: 20 }, (_, i) => delaySeconds(i + 1, PAIR_POLICY));
    expect(waits.slice(0, PAIR_POLICY.free - 1)).toEqual([0, 0]);
    expect(waits.slice(PAIR_POLICY.free - 1, PAIR_POLICY.free + 4)).toEqual([1, 2, 4, 8, 16]);
    expect(Math.max(...waits)).toBe(PAIR_POLICY.capSeconds);
    expect(delaySeconds(10_000, PAIR_POLICY)).toBe(PAIR_POLICY.capSeconds);
  });

  it('caps what outsiders can make the owner of a login wait at a minute', () => {
    expect(delaySeconds(1_000_000, LOGIN_POLICY)).toBe(60);
    expect(LOGIN_POLICY.clearedBySuccess).toBe(true);
    // an address's count is not cleared by signing in to one's own account between guesses
    expect(SOURCE_POLICY.clearedBySuccess).toBe(false);
  });

  it('keys a sign-in by login, by address and by the two together', () => {
    expect(signInKeys('username:admin', '203.0.113.5').map((k) => k.name)).toEqual([
      'login:username:admin',
      'source:203.0.113.5',
      'pair:203.0.113.5|username:admin',
    ]);
  });
});
