import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { DomainError } from '../../../api/errors/domain-error';
import type { AppConfig } from '../../../config/config';
import { AccessTokenService } from './access-token.service';

/** The verified-token memo: a hit must answer what a fresh verification would. */
describe('AccessTokenService.verify', () => {
  const jwt = {
    issuer: 'https://issuer.test',
    audience: 'onewindow-test',
    accessTtlSeconds: 60,
    secret: randomBytes(32),
  };
  const service = () => new AccessTokenService({ jwt } as unknown as AppConfig);
  const claims = { sub: '01900000-0000-7000-8000-000000000001', kind: 'citizen' as const, sid: 'sid-1' };
  const code = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'accepted';
    } catch (e) {
      return e instanceof DomainError ? e.code : String(e);
    }
  };

  afterEach(() => jest.restoreAllMocks());

  it('answers a token again from the memo, as a copy', async () => {
    const tokens = service();
    const { token, jti } = await tokens.issue(claims);
    const first = await tokens.verify(token);
    expect(first).toMatchObject({ ...claims, jti });
    (first as { sub: string }).sub = 'tampered';
    const again = await tokens.verify(token);
    expect(again).toMatchObject({ ...claims, jti });
  });

  it('refuses a remembered token once it has expired (exp checked on every use)', async () => {
    const tokens = service();
    const { token } = await tokens.issue(claims);
    expect(await code(tokens.verify(token))).toBe('accepted');
    const now = Date.now();
    // 60 s of life and 5 s of tolerance: 70 s later it is dead, memo or not.
    jest.spyOn(Date, 'now').mockReturnValue(now + 70_000);
    expect(await code(tokens.verify(token))).toBe('INVALID_TOKEN');
    // dropped from the memo: a fresh verification (jose, real clock) decides next time
    jest.restoreAllMocks();
    expect(await code(tokens.verify(token))).toBe('accepted');
  });

  it('never remembers a token that failed (wrong secret), nor one not yet valid', async () => {
    const tokens = service();
    const forged = await new SignJWT({ kind: 'citizen', sid: 'sid-1' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setJti('forged')
      .setIssuer(jwt.issuer)
      .setAudience(jwt.audience)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(randomBytes(32));
    expect(await code(tokens.verify(forged))).toBe('INVALID_TOKEN');
    expect(await code(tokens.verify(forged))).toBe('INVALID_TOKEN');
    const later = await new SignJWT({ kind: 'citizen', sid: 'sid-1' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
      .setSubject(claims.sub)
      .setJti('later')
      .setIssuer(jwt.issuer)
      .setAudience(jwt.audience)
      .setIssuedAt()
      .setNotBefore(Math.floor(Date.now() / 1000) + 600)
      .setExpirationTime('1h')
      .sign(jwt.secret);
    expect(await code(tokens.verify(later))).toBe('INVALID_TOKEN');
    expect(await code(tokens.verify(later))).toBe('INVALID_TOKEN');
  });
});
