import { matchTotpStep } from './second-factor';

// RFC 6238 appendix B, SHA-1 seed "12345678901234567890" (base32 below), last six digits.
const SEED = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('matchTotpStep', () => {
  it('matches the RFC 6238 vectors at their time step', () => {
    expect(matchTotpStep(SEED, '287082', 59_000)).toBe(1);
    expect(matchTotpStep(SEED, '081804', 1_111_111_109_000)).toBe(Math.floor(1_111_111_109 / 30));
  });

  it('accepts one step of drift either way and no more', () => {
    const at = 1_111_111_109_000;
    expect(matchTotpStep(SEED, '081804', at + 30_000)).not.toBeNull();
    expect(matchTotpStep(SEED, '081804', at - 30_000)).not.toBeNull();
    expect(matchTotpStep(SEED, '081804', at + 90_000)).toBeNull();
  });

  it('refuses malformed codes', () => {
    expect(matchTotpStep(SEED, '28708', 59_000)).toBeNull();
    expect(matchTotpStep(SEED, '2870821', 59_000)).toBeNull();
    expect(matchTotpStep(SEED, 'abcdef', 59_000)).toBeNull();
  });
});
