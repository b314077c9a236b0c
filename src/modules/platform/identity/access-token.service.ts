import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { errors as joseErrors, JWTPayload, jwtVerify, SignJWT } from 'jose';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import type { ActorKind } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';

export interface AccessClaims {
  sub: string;
  kind: ActorKind;
  jti: string;
  /** refresh-token family, so a logout or reuse revokes every access token of the session */
  sid?: string;
  scope?: string;
  /** organisation of a machine client */
  org?: string;
}

const TYP = 'at+jwt';
const ALG = 'HS256';
/** seconds of clock skew allowed on exp and nbf */
const CLOCK_TOLERANCE = 5;
/** tokens whose signature and claims were verified, kept for their next requests (bounded) */
const VERIFIED_MAX = 10_000;

/**
 * Short-lived access tokens per RFC 9068 / RFC 8725: algorithm pinned, `typ`, `iss` and `aud`
 * checked, `alg: none` and every other algorithm refused.
 */
@Injectable()
export class AccessTokenService {
  /**
   * Tokens already verified, by their exact text: a signature check is a pure function of the
   * token and the secret, and jose's runs through WebCrypto (an async job, ~10 % of a signed-in
   * read's CPU). Only what passed is kept, and every reuse checks exp and nbf again, so a hit
   * answers exactly what a new verification would. Revocation is not a property of the token:
   * the session check still runs on every request (SessionCheckService).
   */
  private readonly verified = new Map<string, JWTPayload>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async issue(claims: Omit<AccessClaims, 'jti'>): Promise<{ token: string; jti: string; expiresIn: number }> {
    const jti = randomUUID();
    const { issuer, audience, accessTtlSeconds, secret } = this.config.jwt;
    const payload: Record<string, string> = { kind: claims.kind };
    if (claims.sid) payload.sid = claims.sid;
    if (claims.scope) payload.scope = claims.scope;
    if (claims.org) payload.org = claims.org;
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: ALG, typ: TYP })
      .setSubject(claims.sub)
      .setJti(jti)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(`${accessTtlSeconds}s`)
      .sign(secret);
    return { token, jti, expiresIn: accessTtlSeconds };
  }

  async verify(token: string): Promise<AccessClaims> {
    const known = this.verified.get(token);
    if (known) {
      const now = Math.floor(Date.now() / 1000);
      if (
        (typeof known.exp === 'number' && known.exp <= now - CLOCK_TOLERANCE) ||
        (typeof known.nbf === 'number' && known.nbf > now + CLOCK_TOLERANCE)
      ) {
        this.verified.delete(token);
        throw new DomainError(ErrorCode.InvalidToken, {}, [], {
          'WWW-Authenticate': 'Bearer error="invalid_token"',
        });
      }
      return { ...known } as unknown as AccessClaims;
    }
    const { issuer, audience, secret } = this.config.jwt;
    try {
      const { payload } = await jwtVerify(token, secret, {
        algorithms: [ALG],
        typ: TYP,
        issuer,
        audience,
        clockTolerance: CLOCK_TOLERANCE,
      });
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.jti !== 'string' ||
        typeof payload.kind !== 'string'
      ) {
        throw new DomainError(ErrorCode.InvalidToken);
      }
      if (this.verified.size >= VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { ...payload });
      return payload as unknown as AccessClaims;
    } catch (e) {
      if (e instanceof DomainError) throw e;
      if (e instanceof joseErrors.JOSEError)
        throw new DomainError(ErrorCode.InvalidToken, {}, [], {
          'WWW-Authenticate': 'Bearer error="invalid_token"',
        });
      throw e;
    }
  }
}
