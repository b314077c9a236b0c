import type { Actor } from '../context/request-context';
import { callerKey, clientNetwork, rateLimitHeaders } from './rate-limit.guard';

describe('rate limit helpers', () => {
  it('formats the draft-11 RateLimit-Policy and RateLimit fields', () => {
    expect(rateLimitHeaders({ allowed: true, quota: 300, remaining: 299, resetSeconds: 60 })).toEqual({
      'RateLimit-Policy': '"default";q=300;w=60',
      RateLimit: '"default";r=299;t=60',
    });
  });

  it('keys authenticated callers by actor and anonymous ones by address', () => {
    const citizen: Actor = { kind: 'citizen', id: 'u1', grants: new Map() };
    const anonymous: Actor = { kind: 'anonymous', id: null, grants: new Map() };
    expect(callerKey(citizen, '10.0.0.1')).toBe('citizen:u1');
    expect(callerKey({ ...citizen, kind: 'apikey' }, '10.0.0.1')).toBe('apikey:u1');
    expect(callerKey(anonymous, '10.0.0.1')).toBe('ip:10.0.0.1');
    expect(callerKey(undefined, undefined)).toBe('ip:unknown');
  });

  it('groups IPv6 clients by /64 and unwraps IPv4-mapped addresses', () => {
    expect(clientNetwork('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(clientNetwork('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0DB8:0001:0002:bbbb:0:0:2')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('never throws on something that is not an address', () => {
    expect(clientNetwork('1:2:3:4:5:6:7:8:9::')).toBe('other:1:2:3:4:5:6:7:8:9::');
    expect(clientNetwork('garbage')).toBe('other:garbage');
    expect(clientNetwork('x'.repeat(500))).toBe(`other:${'x'.repeat(64)}`);
    expect(clientNetwork('')).toBe('unknown');
  });
});
