import {
  isValidNationalId,
  isValidUnifiedSocialCreditCode,
  nationalIdCheckChar,
  normaliseNationalId,
  normaliseUnifiedSocialCreditCode,
  uniformCodeCheckChar,
} from './national-id';

// Fixed clock so "future date" cases do not drift; 2026-06-15 12:00 UTC.
const NOW = new Date(Date.UTC(2026, 5, 15, 12));

/** Builds a valid-looking ID from parts, computing the check character (test data, not real people). */
function makeId(region6: string, birth8: string, seq3 = '123'): string {
  const first17 = `${region6}${birth8}${seq3}`;
  return first17 + nationalIdCheckChar(first17);
}

describe('nationalIdCheckChar', () => {
  it('computes the check character of the commonly cited example 11010519491231002X', () => {
    expect(nationalIdCheckChar('11010519491231002')).toBe('X');
  });

  it('maps every remainder 0..10 through "10X98765432"', () => {
    const seen = new Set<string>();
    for (let seq = 0; seq < 1000 && seen.size < 11; seq++) {
      seen.add(nationalIdCheckChar(`11010119900307${String(seq).padStart(3, '0')}`));
    }
    expect([...seen].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X']);
  });

  it.each(['1101051949123100', '110105194912310021', '1101051949123100A', ''])(
    'rejects malformed input %p',
    (bad) => {
      expect(() => nationalIdCheckChar(bad)).toThrow(RangeError);
    },
  );
});

describe('normaliseNationalId', () => {
  it('trims and upper-cases a trailing x', () => {
    expect(normaliseNationalId('  11010519491231002x \n')).toBe('11010519491231002X');
  });

  it('leaves other characters untouched so invalid input stays invalid', () => {
    expect(normaliseNationalId('x1010519491231002a')).toBe('x1010519491231002a');
  });
});

describe('isValidNationalId', () => {
  it('accepts the commonly cited example and generated IDs', () => {
    expect(isValidNationalId('11010519491231002X', NOW)).toBe(true);
    expect(isValidNationalId(makeId('440305', '20000229'), NOW)).toBe(true); // leap day
    expect(isValidNationalId(makeId('650102', '19000101'), NOW)).toBe(true); // earliest year
    expect(isValidNationalId(makeId('810000', '19851010'), NOW)).toBe(true); // Hong Kong
  });

  it('accepts a birth date of today (China time) but not tomorrow', () => {
    // 2026-06-15 20:00 UTC is already 2026-06-16 in China.
    const lateUtc = new Date(Date.UTC(2026, 5, 15, 20));
    expect(isValidNationalId(makeId('310101', '20260616'), lateUtc)).toBe(true);
    expect(isValidNationalId(makeId('310101', '20260616'), NOW)).toBe(false);
    expect(isValidNationalId(makeId('310101', '20260615'), NOW)).toBe(true);
  });

  it('rejects future birth dates against the real clock', () => {
    const nextYear = new Date().getUTCFullYear() + 1;
    expect(isValidNationalId(makeId('110101', `${nextYear}0101`))).toBe(false);
  });

  it('rejects a wrong check character', () => {
    expect(isValidNationalId('110105194912310021', NOW)).toBe(false);
    expect(isValidNationalId('110105194912310020', NOW)).toBe(false);
  });

  it('detects every single-digit substitution and adjacent transposition (MOD 11-2 guarantee)', () => {
    const valid = makeId('320102', '19880808', '457');
    for (let i = 0; i < 17; i++) {
      for (let d = 0; d <= 9; d++) {
        const mutated = valid.slice(0, i) + d + valid.slice(i + 1);
        if (mutated !== valid) expect(isValidNationalId(mutated, NOW)).toBe(false);
      }
      if (i < 16 && valid[i] !== valid[i + 1]) {
        const swapped = valid.slice(0, i) + valid[i + 1] + valid[i] + valid.slice(i + 2);
        expect(isValidNationalId(swapped, NOW)).toBe(false);
      }
    }
  });

  it.each([
    ['19990230', 'February 30th'],
    ['19990229', 'Feb 29 in a non-leap year'],
    ['19001301', 'month 13'],
    ['19900000', 'month and day 00'],
    ['19900431', 'April 31st'],
    ['18991231', 'year before 1900'],
  ])('rejects impossible birth date %s (%s) even with a correct check char', (birth) => {
    expect(isValidNationalId(makeId('110101', birth), NOW)).toBe(false);
  });

  it.each([
    '10',
    '16',
    '20',
    '24',
    '30',
    '38',
    '47',
    '55',
    '60',
    '66',
    '70',
    '72',
    '80',
    '84',
    '90',
    '92',
    '99',
  ])('rejects province code %s', (province) => {
    expect(isValidNationalId(makeId(`${province}0101`, '19900307'), NOW)).toBe(false);
  });

  it.each([
    ['', 'empty'],
    ['11010519491231002', '17 chars'],
    ['11010519491231002X0', '19 chars'],
    ['110105491231002', 'legacy 15-digit'],
    ['11010519491231002x', 'lower-case x (normalise first)'],
    [' 11010519491231002X', 'untrimmed'],
    ['1101051949123100AX', 'letter in the body'],
    ['11010519491231002Y', 'letter other than X as check'],
    ['１１０１０５１９４９１２３１００２X', 'full-width digits'],
  ])('rejects %p (%s)', (input) => {
    expect(isValidNationalId(input, NOW)).toBe(false);
  });

  it('accepts lower-case x after normalisation', () => {
    expect(isValidNationalId(normaliseNationalId(' 11010519491231002x '), NOW)).toBe(true);
  });

  it('returns false instead of throwing for non-string runtime input', () => {
    expect(isValidNationalId(undefined as unknown as string, NOW)).toBe(false);
    expect(isValidNationalId(110105194912310020 as unknown as string, NOW)).toBe(false);
  });
});

describe('unified social credit code', () => {
  it('computes the check character of 91350100M000100Y43', () => {
    expect(uniformCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(isValidUnifiedSocialCreditCode('91350100M000100Y43')).toBe(true);
  });

  it('accepts generated codes, including check results 0 (31 → 0) and letters', () => {
    const checks = new Set<string>();
    for (let n = 0; n < 2000; n++) {
      const first17 = `91110108${String(n).padStart(8, '0')}M`;
      const code = first17 + uniformCodeCheckChar(first17);
      checks.add(code[17]);
      expect(isValidUnifiedSocialCreditCode(code)).toBe(true);
    }
    expect(checks.has('0')).toBe(true);
    expect([...checks].some((c) => /[A-Z]/.test(c))).toBe(true);
  });

  it('rejects every single-character substitution', () => {
    const code = '91350100M000100Y43';
    const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    for (let i = 0; i < 18; i++) {
      for (const c of charset) {
        const mutated = code.slice(0, i) + c + code.slice(i + 1);
        if (mutated !== code) expect(isValidUnifiedSocialCreditCode(mutated)).toBe(false);
      }
    }
  });

  it.each([
    ['91350100M000100Y42', 'wrong check char'],
    ['91350100M000100Y4', '17 chars'],
    ['91350100M000100Y430', '19 chars'],
    ['91350100m000100y43', 'lower case (normalise first)'],
    ['91350100I000100Y43', 'excluded letter I'],
    ['91350100O000100Y43', 'excluded letter O'],
    ['', 'empty'],
  ])('rejects %p (%s)', (input) => {
    expect(isValidUnifiedSocialCreditCode(input)).toBe(false);
  });

  it('normalises case and whitespace', () => {
    expect(isValidUnifiedSocialCreditCode(normaliseUnifiedSocialCreditCode(' 91350100m000100y43 '))).toBe(
      true,
    );
  });

  it('rejects malformed check-char input', () => {
    expect(() => uniformCodeCheckChar('91350100M000100Y')).toThrow(RangeError);
    expect(() => uniformCodeCheckChar('91350100S000100Y4')).toThrow(/charset/);
  });
});
