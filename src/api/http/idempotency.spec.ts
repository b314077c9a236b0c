import { RequestContext } from '../context/request-context';
import { DomainError } from '../errors/domain-error';
import { ErrorCode, ErrorCodeName } from '../errors/error-code';
import { canonicalJson, idempotencyScope, parseIdempotencyKey, requestFingerprint } from './idempotency';

function code(fn: () => unknown): ErrorCodeName | undefined {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return undefined;
}

describe('parseIdempotencyKey', () => {
  it('accepts an RFC 8941 string and the bare value alike', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toBe(
      '8e03978e-40d5-43e8-bc93-6894a57f9324',
    );
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toBe(
      '8e03978e-40d5-43e8-bc93-6894a57f9324',
    );
    expect(parseIdempotencyKey('  "abc_DEF-1"  ')).toBe('abc_DEF-1');
  });

  it('accepts 1 and 255 characters', () => {
    expect(parseIdempotencyKey('a')).toBe('a');
    expect(parseIdempotencyKey('x'.repeat(255))).toBe('x'.repeat(255));
    expect(parseIdempotencyKey(`"${'x'.repeat(255)}"`)).toBe('x'.repeat(255));
  });

  it('is absent when the header is', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['empty string', '""'],
    ['too long', 'x'.repeat(256)],
    ['too long quoted', `"${'x'.repeat(256)}"`],
    ['space', 'a b'],
    ['slash', 'a/b'],
    ['colon (a valid sf-token, but not ours)', 'a:b'],
    ['escaped quote', '"a\\"b"'],
    ['unbalanced quote', '"abc'],
    ['two values', 'abc, def'],
    ['non-ASCII', '幂等'],
    ['byte sequence', ':YWJj:'],
  ])('refuses %s with IDEMPOTENCY_KEY_INVALID', (_label, value) => {
    expect(code(() => parseIdempotencyKey(value))).toBe(ErrorCode.IdempotencyKeyInvalid);
  });

  it('refuses a header sent twice', () => {
    expect(code(() => parseIdempotencyKey(['abc', 'abc']))).toBe(ErrorCode.IdempotencyKeyInvalid);
  });
});

describe('canonicalJson and requestFingerprint', () => {
  it('ignores key order at every level but not array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({ a: [{ y: 1, x: 2 }] })).toBe('{"a":[{"x":2,"y":1}]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('fingerprints method, path and body', () => {
    const base = requestFingerprint('POST', '/v1/organisations', { name: 'a', kind: 'agency' });
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint('post', '/v1/organisations', { kind: 'agency', name: 'a' })).toBe(base);
    expect(requestFingerprint('PUT', '/v1/organisations', { name: 'a', kind: 'agency' })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/regions', { name: 'a', kind: 'agency' })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/organisations', { name: 'b', kind: 'agency' })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/organisations', { name: 'a', kind: 'agency', x: null })).not.toBe(
      base,
    );
  });
});

describe('idempotencyScope', () => {
  it('is the actor for signed-in callers and the IP for anonymous ones', () => {
    const anon = new RequestContext('r1', 'zh-CN', null, '203.0.113.9');
    expect(idempotencyScope(anon)).toBe('ip:203.0.113.9');
    const staff = new RequestContext('r2', 'zh-CN', null, '203.0.113.9');
    staff.actor = { kind: 'staff', id: 'u-1', grants: new Map() };
    expect(idempotencyScope(staff)).toBe('staff:u-1');
    const client = new RequestContext('r3');
    client.actor = { kind: 'client', id: 'u-1', grants: new Map() };
    // Same id, different kind of caller: different scope.
    expect(idempotencyScope(client)).toBe('client:u-1');
    expect(idempotencyScope(new RequestContext('r4'))).toBe('ip:unknown');
  });
});
