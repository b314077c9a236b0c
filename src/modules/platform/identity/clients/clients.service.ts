import { Injectable } from '@nestjs/common';
import { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { cursorCodec, keysetPage, Page } from '../../../../api/http/pagination';
import { Db } from '../../../../database/db';
import { AccessTokenService } from '../access-token.service';
import { actorAccount } from '../staff/staff.service';
import { IdentityAudit } from '../staff/identity-audit';
import { scopeCondition } from '../staff/unit-scope';
import {
  ClientDto,
  ClientQueryDto,
  ClientWithSecretDto,
  CreateClientDto,
  RotateSecretDto,
  TokenResponseDto,
} from './dto/clients.dto';
import { digestMatches, randomToken, requireGrantable, sha256Hex } from './machine-scopes';
import { OAuthClient } from './oauth-client.entity';
import { OAuthError } from './oauth-error';

const DEFAULT_GRACE_SECONDS = 86_400;

/** What the token endpoint received, as plain values (the controller knows no HTTP framework). */
export interface TokenRequest {
  body: unknown;
  authorization?: string;
  /** hex SHA-256 of the TLS client certificate, forwarded by the TLS-terminating proxy */
  certThumbprint?: string;
}

/** OAuth client list pages by id. */
export const CLIENT_CURSOR = cursorCodec<[string]>('clients', 'uuid');

/**
 * Agency systems (E1): OAuth 2.0 clients with the client-credentials grant. Administration is
 * confined to the caller's client:manage scope; the token endpoint speaks RFC 6749.
 */
@Injectable()
export class ClientsService {
  constructor(
    private readonly db: Db,
    private readonly tokens: AccessTokenService,
    private readonly audit: IdentityAudit,
  ) {}

  async create(ctx: RequestContext, dto: CreateClientDto): Promise<ClientWithSecretDto> {
    return this.db.transaction(async () => {
      await requireGrantable(this.db, ctx, Permission.ClientManage, dto.organisationId, dto.scopes);
      const secret = newSecret();
      const client = this.db.repo(OAuthClient).create({
        clientId: `owc_${randomToken(16)}`,
        name: dto.name,
        secretHash: sha256Hex(secret),
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        organisationId: dto.organisationId,
        scopes: dto.scopes,
        certThumbprint: dto.certThumbprint?.toLowerCase() ?? null,
        active: true,
        createdBy: actorAccount(ctx),
        lastUsedAt: null,
      });
      await this.db.repo(OAuthClient).save(client);
      await this.audit.record(ctx, 'client.create', 'oauth_client', client.id);
      return { ...toClientDto(client), clientSecret: secret };
    });
  }

  async list(ctx: RequestContext, q: ClientQueryDto): Promise<Page<ClientDto>> {
    const qb = this.db.repo(OAuthClient).createQueryBuilder('c');
    const scope = scopeCondition(ctx, [Permission.ClientManage], 'c.organisation_id');
    if (scope) qb.where(scope.sql, scope.params);
    if (q.within) {
      qb.andWhere(
        'c.organisation_id IN (SELECT w.descendant_id FROM organisation_closure w WHERE w.ancestor_id = :within)',
        { within: q.within },
      );
    }
    const page = await keysetPage(qb, q, { cursor: CLIENT_CURSOR, idColumn: 'c.id', keyOf: (c) => [c.id] });
    return { items: page.items.map(toClientDto), nextCursor: page.nextCursor, count: page.count };
  }

  async get(ctx: RequestContext, id: string): Promise<ClientDto> {
    return toClientDto(await this.findManaged(ctx, id));
  }

  /** A new secret now; the previous one keeps working for graceSeconds so callers can roll over. */
  async rotateSecret(ctx: RequestContext, id: string, dto: RotateSecretDto): Promise<ClientWithSecretDto> {
    return this.db.transaction(async () => {
      const client = await this.findManaged(ctx, id, true);
      if (!client.active)
        throw new DomainError(ErrorCode.InvalidState, { reason: 'the client is deactivated' });
      const secret = newSecret();
      const grace = dto.graceSeconds ?? DEFAULT_GRACE_SECONDS;
      client.previousSecretHash = grace > 0 ? client.secretHash : null;
      client.previousSecretExpiresAt = grace > 0 ? new Date(Date.now() + grace * 1000) : null;
      client.secretHash = sha256Hex(secret);
      await this.db.repo(OAuthClient).save(client);
      await this.audit.record(ctx, 'client.rotate-secret', 'oauth_client', client.id);
      return { ...toClientDto(client), clientSecret: secret };
    });
  }

  /** Stops the client at once: no new tokens, and the ones it holds are refused on their next use. */
  async deactivate(ctx: RequestContext, id: string): Promise<ClientDto> {
    return this.db.transaction(async () => {
      const client = await this.findManaged(ctx, id, true);
      if (client.active) {
        client.active = false;
        client.previousSecretHash = null;
        client.previousSecretExpiresAt = null;
        await this.db.repo(OAuthClient).save(client);
        await this.audit.record(ctx, 'client.deactivate', 'oauth_client', client.id);
      }
      return toClientDto(client);
    });
  }

  /**
   * POST /v1/oauth/token, grant_type=client_credentials (RFC 6749 §4.4). The client authenticates
   * with HTTP Basic or client_id/client_secret in the body (one method only, §2.3); when it has a
   * bound certificate, the proxy-forwarded thumbprint must match (RFC 8705 style binding).
   */
  async issueToken(req: TokenRequest): Promise<TokenResponseDto> {
    const params = readParams(req.body);
    const grantType = params.get('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials')
      throw new OAuthError('unsupported_grant_type', 'only client_credentials is supported');

    const basic = parseBasic(req.authorization);
    if (basic && params.has('client_secret'))
      throw new OAuthError('invalid_request', 'use one client authentication method');
    if (basic && params.has('client_id') && params.get('client_id') !== basic.id)
      throw new OAuthError('invalid_request', 'client_id does not match');
    const id = basic?.id ?? params.get('client_id');
    const secret = basic?.secret ?? params.get('client_secret');
    const challenge = req.authorization ? BASIC_CHALLENGE : undefined;
    const refuse = (why: string) => new OAuthError('invalid_client', why, 401, challenge);
    if (!id || !secret) throw refuse('client authentication is required');

    const client = await this.db
      .repo(OAuthClient)
      .createQueryBuilder('c')
      .addSelect(['c.secretHash', 'c.previousSecretHash'])
      .where('c.client_id = :id', { id })
      .getOne();
    const current = digestMatches(secret, client?.secretHash);
    const previous =
      !!client?.previousSecretExpiresAt &&
      client.previousSecretExpiresAt.getTime() > Date.now() &&
      digestMatches(secret, client.previousSecretHash);
    if (!client || !client.active || !(current || previous)) throw refuse('client authentication failed');
    if (client.certThumbprint && normaliseThumbprint(req.certThumbprint) !== client.certThumbprint) {
      throw refuse('the client certificate is missing or does not match');
    }

    const requested = params.get('scope');
    let scopes = client.scopes;
    if (requested !== undefined && requested.trim() !== '') {
      const asked = [...new Set(requested.split(' ').filter(Boolean))];
      const unknown = asked.filter((s) => !client.scopes.includes(s));
      if (unknown.length)
        throw new OAuthError(
          'invalid_scope',
          `not allowed for this client: ${unknown.join(' ').slice(0, 200)}`,
        );
      scopes = asked;
    }
    const scope = scopes.join(' ');
    const { token, expiresIn } = await this.tokens.issue({
      sub: client.clientId,
      kind: 'client',
      org: client.organisationId,
      scope: scope || undefined,
    });
    await this.db.query('UPDATE oauth_client SET last_used_at = now() WHERE id = $1', [client.id]);
    return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
  }

  private async findManaged(ctx: RequestContext, id: string, lock = false): Promise<OAuthClient> {
    const qb = this.db
      .repo(OAuthClient)
      .createQueryBuilder('c')
      .addSelect(['c.secretHash', 'c.previousSecretHash'])
      .where('c.id = :id', { id });
    const scope = scopeCondition(ctx, [Permission.ClientManage], 'c.organisation_id');
    if (scope) qb.andWhere(scope.sql, scope.params);
    if (lock) qb.setLock('pessimistic_write');
    const client = await qb.getOne();
    if (!client) throw notFound('client');
    return client;
  }
}

const BASIC_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="onewindow", charset="UTF-8"' };

const newSecret = (): string => `ows_${randomToken(32)}`;

/** Form or JSON parameters as single strings; a repeated or non-string parameter is refused (§3.1). */
function readParams(body: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!body || typeof body !== 'object' || Array.isArray(body)) return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (!['grant_type', 'client_id', 'client_secret', 'scope'].includes(k)) continue; // others are ignored (§3.2)
    if (typeof v !== 'string')
      throw new OAuthError('invalid_request', `${k} must be given once, as a string`);
    out.set(k, v);
  }
  return out;
}

/** RFC 6749 §2.3.1: Basic with form-urlencoded id and secret. */
function parseBasic(header: string | undefined): { id: string; secret: string } | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) {
    if (header && /^Basic\s/i.test(header))
      throw new OAuthError('invalid_client', 'malformed Basic credentials', 401, BASIC_CHALLENGE);
    return null;
  }
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials', 401, BASIC_CHALLENGE);
  try {
    const form = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: form(decoded.slice(0, colon)), secret: form(decoded.slice(colon + 1)) };
  } catch {
    throw new OAuthError('invalid_client', 'malformed Basic credentials', 401, BASIC_CHALLENGE);
  }
}

/** Proxies write thumbprints as hex with or without colons, in either case. */
export function normaliseThumbprint(v: string | undefined): string | null {
  const hex = v?.replace(/:/g, '').trim().toLowerCase();
  return hex && /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

export function toClientDto(c: OAuthClient): ClientDto {
  return {
    id: c.id,
    clientId: c.clientId,
    name: c.name,
    organisationId: c.organisationId,
    scopes: c.scopes,
    certThumbprint: c.certThumbprint,
    active: c.active,
    previousSecretExpiresAt: c.previousSecretExpiresAt?.toISOString() ?? null,
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}
