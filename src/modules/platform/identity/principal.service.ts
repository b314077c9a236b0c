import { Injectable } from '@nestjs/common';
import type { Actor } from '../../../api/context/request-context';
import type { Credentials, PrincipalResolver } from '../../../api/auth/principal-resolver';
import type { Permission } from '../../../api/auth/permission';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { AccessTokenService } from './access-token.service';

const ANONYMOUS: Actor = { kind: 'anonymous', id: null, grants: new Map() };
const BEARER_RE = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/;

/** Turns a bearer token or API key into the Actor the guard checks permissions against. */
@Injectable()
export class PrincipalService implements PrincipalResolver {
  constructor(private readonly tokens: AccessTokenService) {}

  async resolve(credentials: Credentials): Promise<Actor> {
    if (credentials.authorization) {
      const m = BEARER_RE.exec(credentials.authorization);
      if (!m) throw new DomainError(ErrorCode.InvalidToken, {}, [], { 'WWW-Authenticate': 'Bearer error="invalid_request"' });
      const claims = await this.tokens.verify(m[1]);
      const grants = new Map<Permission, Set<string> | '*'>();
      for (const p of (claims.scope ?? '').split(' ').filter(Boolean)) grants.set(p as Permission, '*');
      return { kind: claims.kind, id: claims.sub, grants, credentialId: claims.jti, organisationId: claims.org ?? null };
    }
    return ANONYMOUS;
  }
}
