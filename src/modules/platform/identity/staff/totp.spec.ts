import { base32Decode, base32Encode, otpauthUri, totpCode, verifyTotp } from './totp';

// RFC 6238 appendix B test vectors (SHA-1, seed "12345678901234567890"), last 6 digits.
const SEED = base32Encode(Buffer.from('12345678901234567890'));

describe('totp', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('matches RFC 6238 at t=%i', (t, code) => {
    expect(totpCode(SEED, t * 1000)).toBe(code);
  });

  it('round-trips base32', () => {
    const buf = Buffer.from([0, 1, 2, 250, 251, 255, 17]);
    expect(base32Decode(base32Encode(buf)).equals(buf)).toBe(true);
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
  });

  it('accepts one step of drift and nothing more', () => {
    const now = 1_700_000_000_000;
    expect(verifyTotp(SEED, totpCode(SEED, now - 30_000), now)).toBe(true);
    expect(verifyTotp(SEED, totpCode(SEED, now + 30_000), now)).toBe(true);
    expect(verifyTotp(SEED, totpCode(SEED, now - 90_000), now)).toBe(false);
    expect(verifyTotp(SEED, '12345', now)).toBe(false);
    expect(verifyTotp(SEED, 'abcdef', now)).toBe(false);
  });

  it('builds an otpauth URI with an escaped label', () => {
    expect(otpauthUri('ABC', 'zhang san')).toBe(
      'otpauth://totp/OneWindow:zhang%20san?secret=ABC&issuer=OneWindow&algorithm=SHA1&digits=6&period=30',
    );
  });
});
