import { externalPerson } from './oidc-claims';

const NAMES = { nationalId: 'cn_national_id', name: 'name', phone: 'phone_number' };
// 11010519491231002X: the GB 11643 standard's worked example (valid check character X)
const ID = '11010519491231002X';

describe('externalPerson', () => {
  it('maps the configured claims and normalises them', () => {
    expect(
      externalPerson(
        {
          sub: 'abc',
          name: ' 张三 ',
          phone_number: '+86 138-0013-8000',
          phone_number_verified: true,
          email: 'Zhang@Example.GOV',
          email_verified: true,
          cn_national_id: ID.toLowerCase(),
        },
        NAMES,
      ),
    ).toEqual({
      subject: 'abc',
      name: '张三',
      verifiedPhone: '13800138000',
      verifiedEmail: 'zhang@example.gov',
      nationalId: ID,
    });
  });

  it('counts only a JSON true as verified', () => {
    for (const flag of [false, 'true', 1, undefined, null]) {
      const p = externalPerson(
        {
          sub: 's',
          phone_number: '13800138000',
          phone_number_verified: flag,
          email: 'a@b.cn',
          email_verified: flag,
        },
        NAMES,
      );
      expect(p).toMatchObject({ verifiedPhone: null, verifiedEmail: null });
    }
  });

  it('reads the verified flag that belongs to the configured phone claim', () => {
    const names = { ...NAMES, phone: 'mobile' };
    expect(
      externalPerson({ sub: 's', mobile: '13800138000', mobile_verified: true }, names)?.verifiedPhone,
    ).toBe('13800138000');
    expect(
      externalPerson({ sub: 's', mobile: '13800138000', phone_number_verified: true }, names)?.verifiedPhone,
    ).toBeNull();
  });

  it('drops values that fail our rules instead of storing them', () => {
    const bad = ID.slice(0, 17) + '1';
    expect(
      externalPerson(
        {
          sub: 's',
          cn_national_id: bad,
          name: 'x'.repeat(101),
          phone_number: '12345',
          phone_number_verified: true,
          email: 'not-an-email',
          email_verified: true,
        },
        NAMES,
      ),
    ).toEqual({ subject: 's', nationalId: null, name: null, verifiedPhone: null, verifiedEmail: null });
    expect(externalPerson({ sub: 's', name: 'a\u0000b' }, NAMES)?.name).toBeNull();
  });

  it('ignores the national ID claim when none is configured', () => {
    expect(
      externalPerson({ sub: 's', cn_national_id: ID }, { ...NAMES, nationalId: null })?.nationalId,
    ).toBeNull();
  });

  it('refuses a missing, non-string or oversized subject', () => {
    for (const sub of [undefined, 42, '', 'x'.repeat(256), 'has space'])
      expect(externalPerson({ sub }, NAMES)).toBeNull();
  });
});
