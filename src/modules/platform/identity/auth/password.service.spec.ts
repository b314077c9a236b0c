import { hash } from '@node-rs/argon2';
import { DomainError } from '../../../../api/errors/domain-error';
import { PasswordService } from './password.service';

describe('PasswordService', () => {
  const passwords = new PasswordService();

  const ruleOf = (pw: string, contacts: string[] = []): string | null => {
    try {
      passwords.assertAcceptable(pw, '/password', contacts);
      return null;
    } catch (e) {
      return (e as DomainError).errors[0].code;
    }
  };

  it.each([
    ['Lantern-River-2024', null],
    ['correct horse battery staple 9', null],
    ['长城长城长城长城1', null],
    ['short1A', 'passwordPolicy'],
    ['12345678901', 'passwordPolicy'],
    ['abcdefghijk', 'passwordPolicy'],
    ['ABCDEFGHIJK', 'passwordPolicy'],
    ['!!!!!!!!!!!', 'passwordPolicy'],
    ['a1'.repeat(65), 'passwordPolicy'],
    ['Password123', 'commonPassword'],
    ['1qaz2WSX', 'commonPassword'],
  ])('judges %p as %p', (pw, rule) => expect(ruleOf(pw)).toBe(rule));

  it('refuses passwords containing the phone or the e-mail name', () => {
    expect(ruleOf('x13800138000y', ['13800138000'])).toBe('passwordContainsLogin');
    expect(ruleOf('Zhangsan-2024', ['zhangsan@example.com'])).toBe('passwordContainsLogin');
    expect(ruleOf('Lantern-River-2024', ['13800138000', null as unknown as string])).toBeNull();
  });

  it('hashes with argon2id m=19456 t=2 p=1 and verifies', async () => {
    const h = await passwords.hash('Lantern-River-2024');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(passwords.verify(h, 'Lantern-River-2024')).resolves.toBe(true);
    await expect(passwords.verify(h, 'lantern-river-2024')).resolves.toBe(false);
    await expect(passwords.verify(null, 'anything')).resolves.toBe(false);
    await expect(passwords.verify('not-a-phc-string', 'anything')).resolves.toBe(false);
    expect(passwords.needsRehash(h)).toBe(false);
  });

  it('asks for a rehash of weaker hashes', async () => {
    expect(passwords.needsRehash(await hash('x', { memoryCost: 4096, timeCost: 1, parallelism: 1 }))).toBe(
      true,
    );
    expect(passwords.needsRehash('garbage')).toBe(true);
  });
});
