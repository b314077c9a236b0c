import { DomainError } from '../../../../api/errors/domain-error';
import { contactOf, normalisePhone, parseLogin, PHONE_PATTERN } from './contact';

describe('contact', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['+8613800138000', '13800138000'],
    ['86 138-0013-8000', '13800138000'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('normalises %s to %s', (raw, expected) => expect(normalisePhone(raw)).toBe(expected));

  it.each(['12800138000', '1380013800', '+0123456789', 'abc', ''])(
    'does not take %p as a phone number',
    (raw) => {
      expect(PHONE_PATTERN.test(raw)).toBe(false);
    },
  );

  it('tells e-mail, phone and username logins apart', () => {
    expect(parseLogin(' Zhang.San@Example.COM ')).toEqual({ field: 'email', value: 'zhang.san@example.com' });
    expect(parseLogin('+86 13800138000')).toEqual({ field: 'phone', value: '13800138000' });
    expect(parseLogin('wang.wu')).toEqual({ field: 'username', value: 'wang.wu' });
  });

  it('wants exactly one of phone and e-mail', () => {
    expect(contactOf({ email: 'A@B.cn' })).toEqual({ field: 'email', value: 'a@b.cn', channel: 'email' });
    expect(contactOf({ phone: '13800138000', email: null as unknown as undefined })).toMatchObject({
      field: 'phone',
      channel: 'sms',
    });
    for (const both of [{}, { phone: '13800138000', email: 'a@b.cn' }]) {
      expect(() => contactOf(both)).toThrow(DomainError);
    }
  });
});
