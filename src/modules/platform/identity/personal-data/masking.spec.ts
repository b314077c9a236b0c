import {
  maskAddress,
  maskEmail,
  maskMiddle,
  maskName,
  maskNationalId,
  maskPersonal,
  maskPhone,
} from './masking';

describe('maskNationalId', () => {
  it('keeps the first 3 and last 4 characters of an 18-character ID', () => {
    const masked = maskNationalId('110101199003071234');
    expect(masked).toBe('110***********1234');
    expect(masked).toHaveLength(18);
  });

  it('keeps a trailing X and hides the birth date', () => {
    const masked = maskNationalId('11010519491231002X');
    expect(masked).toBe('110***********002X');
    expect(masked).not.toContain('1949');
  });

  it('trims input and still masks short/odd values', () => {
    expect(maskNationalId(' 110101199003071234 ')).toBe('110***********1234');
    expect(maskNationalId('1234567')).toBe('*******');
  });
});

describe('maskPhone', () => {
  it('masks a mainland mobile number as 3****4', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
  });

  it('keeps a +86 / 86 prefix', () => {
    expect(maskPhone('+8613812341234')).toBe('+86138****1234');
    expect(maskPhone('86 13812341234')).toBe('86 138****1234');
  });

  it('falls back to keeping 3 + 4 for other formats', () => {
    expect(maskPhone('010-12345678')).toBe('010*****5678');
    expect(maskPhone('1234')).toBe('****');
  });
});

describe('maskEmail', () => {
  it('keeps the first character of the local part and the domain', () => {
    expect(maskEmail('zhang.san@example.com')).toBe('z***@example.com');
  });

  it('hides the local part length', () => {
    expect(maskEmail('a@example.com')).toBe('a***@example.com');
    expect(maskEmail('averyveryverylongname@example.com')).toBe('a***@example.com');
  });

  it('handles odd input without revealing it', () => {
    expect(maskEmail('张三@例子.中国')).toBe('张***@例子.中国');
    expect(maskEmail('"a@b"@example.com')).toBe('"***@example.com');
    expect(maskEmail('@example.com')).toBe('***@example.com');
    expect(maskEmail('not-an-email')).toBe('n***');
  });
});

describe('maskName', () => {
  it('keeps the first character', () => {
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('Zhang San')).toBe('Z********');
  });

  it('fully masks single-character names and handles empty input', () => {
    expect(maskName('张')).toBe('*');
    expect(maskName('')).toBe('');
  });

  it('treats astral characters as one character', () => {
    expect(maskName('𠀋三')).toBe('𠀋*');
  });
});

describe('maskMiddle', () => {
  it('keeps start and end and preserves length', () => {
    expect(maskMiddle('abcdefgh', 2, 3)).toBe('ab***fgh');
    expect(maskMiddle('abcdefgh', 0, 0)).toBe('********');
    expect(maskMiddle('abcdefgh', 0, 2)).toBe('******gh');
  });

  it('masks everything when nothing would otherwise be hidden', () => {
    expect(maskMiddle('abc', 2, 1)).toBe('***');
    expect(maskMiddle('abc', 5, 5)).toBe('***');
    expect(maskMiddle('', 1, 1)).toBe('');
  });

  it('counts code points, not UTF-16 units', () => {
    expect(maskMiddle('北京🙂东城区', 2, 1)).toBe('北京***区');
  });

  it.each([
    [-1, 0],
    [0, -1],
    [1.5, 0],
    [Number.NaN, 0],
  ])('rejects keepStart=%p keepEnd=%p', (start, end) => {
    expect(() => maskMiddle('abcdef', start, end)).toThrow(RangeError);
  });
});

describe('maskAddress', () => {
  it('keeps province and city, hides the street and number', () => {
    expect(maskAddress('浙江省杭州市西湖区文三路90号')).toBe('浙江省杭州市*********');
    expect(maskAddress('短地址')).toBe('***');
  });
});

describe('maskPersonal', () => {
  it('masks text by kind, objects and arrays leaf by leaf, and hides numbers', () => {
    expect(maskPersonal('nationalId', '110101199003071234')).toBe('110***********1234');
    expect(maskPersonal('phone', '13812341234')).toBe('138****1234');
    expect(maskPersonal('email', 'zhang.san@example.com')).toBe('z***@example.com');
    expect(maskPersonal('name', '张三')).toBe('张*');
    expect(maskPersonal('address', { city: '浙江省杭州市西湖区', street: '文三路90号' })).toEqual({
      city: '浙江省杭州市***',
      street: '******',
    });
    expect(maskPersonal('phone', ['13812341234'])).toEqual(['138****1234']);
    expect(maskPersonal('nationalId', 12345)).toBe('***');
    expect(maskPersonal('name', null)).toBeNull();
  });
});
