import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Actor, DelegatedGrant, Grants } from '../../../api/context/request-context';
import type { Credentials, PrincipalResolver } from '../../../api/auth/principal-resolver';
import { Permission } from '../../../api/auth/permission';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { AccessClaims, AccessTokenService } from './access-token.service';
import { SessionCheckService } from './auth/session-check.service';
import { normaliseThumbprint } from './clients/clients.service';
import { isMachineScope, RoleDefinition, RoleName, ROLES, secondFactorRoles } from './staff/role-catalogue';

const ANONYMOUS: Actor = { kind: 'anonymous', id: null, grants: new Map() };
const BEARER_RE = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]*)$/;
const BASIC_RE = /^Basic\s/i;
/** `owk_` + 8-character public id + `_` + 32 random bytes in base64url */
export const API_KEY_RE = /^owk_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;
/** lastUsedAt is a hint for humans; writing it at most once a minute keeps reads read-only */
const LAST_USED_RESOLUTION_MS = 60_000;

const invalid = (scheme = 'Bearer'): DomainError =>
  new DomainError(ErrorCode.InvalidToken, {}, [], { 'WWW-Authenticate': `${scheme} error="invalid_token"` });

interface GrantRow {
  organisation_id: string | null;
  has_totp: boolean;
  role: string | null;
  unit: string | null;
  from_account: string | null;
}

/**
 * Turns a bearer token or an API key into the Actor the guard checks permissions against.
 *
 * - staff: grants come from the database on every request (role assignments and delegations that
 *   are valid now), so a revoked role or a disabled account takes effect immediately. A role held
 *   in a unit grants its permissions there and below (a Set of unit ids, expanded in SQL by the
 *   services); the 'admin' role held globally is the '*' grant.
 * - citizens and businesses: SelfService, once the account is found not disabled.
 * - machine clients and API keys: their scopes, held in their own organisation's subtree.
 *
 * Nothing is cached across requests: one indexed round trip per request is cheaper than getting
 * invalidation right across stateless API processes.
 */
@Injectable()
export class PrincipalService implements PrincipalResolver {
  /** roles whose grants wait for the holder's second factor */
  private readonly secondFactorRoles: ReadonlySet<RoleName>;

  constructor(
    private readonly tokens: AccessTokenService,
    private readonly sessions: SessionCheckService,
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.secondFactorRoles = secondFactorRoles(config.secondFactorRoles);
  }

  async resolve(credentials: Credentials): Promise<Actor> {
    const { authorization, apiKey, certThumbprint } = credentials;
    // HTTP Basic is client authentication at POST /v1/oauth/token (RFC 6749 §2.3.1), not a principal.
    const bearer = authorization && !BASIC_RE.test(authorization) ? authorization : undefined;
    if (bearer && apiKey !== undefined) throw invalid();
    if (bearer) {
      const m = BEARER_RE.exec(bearer);
      if (!m)
        throw new DomainError(ErrorCode.InvalidToken, {}, [], {
          'WWW-Authenticate': 'Bearer error="invalid_request"',
        });
      return this.fromToken(await this.tokens.verify(m[1]), certThumbprint);
    }
    if (apiKey !== undefined) return this.fromApiKey(apiKey);
    return ANONYMOUS;
  }

  private async fromToken(claims: AccessClaims & { iat?: number }, certThumbprint?: string): Promise<Actor> {
    if (claims.kind === 'client') return this.fromClientToken(claims, certThumbprint);
    if (claims.kind !== 'staff' && claims.kind !== 'citizen') throw invalid();
    // Account still active, token newer than the last password change, session not ended.
    const selfGrants = await this.sessions.check(claims);
    const base = { id: claims.sub, credentialId: claims.jti, sessionId: claims.sid ?? null };
    // Login never puts a scope on an account token: one that carries it was minted by the server for
    // a synthetic caller (tests, tools), whose account row exists only because sessions, tasks and
    // notes name their account by foreign key. It holds its scopes, not the account's roles.
    if (claims.scope !== undefined) return this.synthetic(claims, base);
    if (claims.kind === 'citizen') {
      if (selfGrants.length)
        return {
          kind: 'citizen',
          ...base,
          grants: new Map(selfGrants.map((p) => [p, '*'])),
          organisationId: null,
        };
      return this.synthetic(claims, base);
    }
    const rows = await this.db.query<GrantRow>(STAFF_GRANTS_SQL, [claims.sub]);
    if (!rows.length) return this.synthetic(claims, base);

    const grants: Grants = new Map([[Permission.StaffSelf, '*']]);
    const ownGrants: Grants = new Map([[Permission.StaffSelf, '*']]);
    const delegations: DelegatedGrant[] = [];
    const awaiting = new Set<Permission>();
    for (const row of rows) {
      const role = row.role ? ROLES[row.role as RoleName] : undefined;
      if (!role) continue;
      // A role that needs a second factor takes effect only once one is enrolled (own or delegated).
      if (!row.has_totp && this.secondFactorRoles.has(role.name)) {
        for (const p of role.permissions) awaiting.add(p);
        continue;
      }
      const from = row.from_account;
      if (from) for (const p of role.permissions) delegations.push({ from, permission: p, unit: row.unit });
      for (const target of from ? [grants] : [grants, ownGrants]) addRole(target, role, row.unit);
    }
    // Who the person acts for is decided per request (the guard) and per case (the workflow engine).
    return {
      kind: 'staff',
      ...base,
      grants,
      ownGrants,
      delegations,
      organisationId: rows[0].organisation_id,
      onBehalfOf: null,
      ...(awaiting.size ? { awaitingSecondFactor: awaiting } : {}),
    };
  }

  /**
   * A token the server minted for a synthetic caller (tests, tools): one with a scope, or with a
   * live session but no account of its subject. It carries only its scopes, and only in
   * NODE_ENV=test: elsewhere every staff and citizen token comes from a login.
   */
  private synthetic(claims: AccessClaims, base: Pick<Actor, 'id' | 'credentialId' | 'sessionId'>): Actor {
    if (this.config.env !== 'test') throw invalid();
    const grants: Grants = new Map();
    for (const p of (claims.scope ?? '').split(' ').filter(Boolean)) grants.set(p as Permission, '*');
    return { kind: claims.kind, ...base, grants, organisationId: claims.org ?? null };
  }

  /** The client must still exist and be active; its current scopes cap the token's. */
  /**
   * A client bound to a certificate must present it on every call, not only at the token endpoint
   * (RFC 8705 §3: a stolen token is useless without the key), via the proxy's verified thumbprint.
   */
  private async fromClientToken(claims: AccessClaims, certThumbprint?: string): Promise<Actor> {
    const rows = await this.db.query<{
      id: string;
      organisation_id: string;
      scopes: string[];
      active: boolean;
      cert_thumbprint: string | null;
    }>('SELECT id, organisation_id, scopes, active, cert_thumbprint FROM oauth_client WHERE client_id = $1', [
      claims.sub,
    ]);
    const client = rows[0];
    if (!client?.active) throw invalid();
    if (client.cert_thumbprint && normaliseThumbprint(certThumbprint) !== client.cert_thumbprint)
      throw invalid();
    const allowed = new Set(client.scopes);
    const scopes = (claims.scope ?? '').split(' ').filter((s) => allowed.has(s) && isMachineScope(s));
    return {
      kind: 'client',
      id: client.id,
      credentialId: claims.jti,
      organisationId: client.organisation_id,
      grants: scopeGrants(scopes, client.organisation_id),
    };
  }

  private async fromApiKey(key: string): Promise<Actor> {
    const m = API_KEY_RE.exec(key);
    if (!m) throw invalid('ApiKey');
    const rows = await this.db.query<{
      id: string;
      key_hash: string;
      organisation_id: string | null;
      scopes: string[];
      expires_at: Date | null;
      revoked_at: Date | null;
      last_used_at: Date | null;
      owner_status: string;
    }>(
      `SELECT k.id, k.key_hash, k.organisation_id, k.scopes, k.expires_at, k.revoked_at, k.last_used_at, a.status AS owner_status
       FROM api_key k JOIN account a ON a.id = k.owner_account_id WHERE k.public_id = $1`,
      [m[1]],
    );
    const row = rows[0];
    const presented = createHash('sha256').update(key).digest();
    // Compare digests in constant time even when the public id is unknown.
    const stored = row ? Buffer.from(row.key_hash, 'hex') : Buffer.alloc(32);
    const matches = stored.length === 32 && timingSafeEqual(presented, stored);
    const now = Date.now();
    if (
      !row ||
      !matches ||
      row.revoked_at ||
      (row.expires_at && new Date(row.expires_at).getTime() <= now) ||
      row.owner_status === 'disabled'
    ) {
      throw invalid('ApiKey');
    }
    if (!row.last_used_at || now - new Date(row.last_used_at).getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.query('UPDATE api_key SET last_used_at = now() WHERE id = $1', [row.id]);
    }
    return {
      kind: 'apikey',
      id: row.id,
      credentialId: row.id,
      organisationId: row.organisation_id,
      grants: scopeGrants(row.scopes.filter(isMachineScope), row.organisation_id),
    };
  }
}

/** Machine scopes are held in the owner's unit and below; without a unit, in no unit at all. */
function scopeGrants(scopes: string[], organisationId: string | null): Grants {
  const grants: Grants = new Map();
  for (const s of scopes) grants.set(s as Permission, new Set(organisationId ? [organisationId] : []));
  return grants;
}

/**
 * The staff account's home unit and every role it can exercise now: its own valid assignments,
 * plus delegations valid now whose delegator is active and still holds the role at or above the
 * unit. No row at all: there is no such staff account.
 */
const STAFF_GRANTS_SQL = `
SELECT a.organisation_id, a.totp_secret_enc IS NOT NULL AS has_totp, g.role, g.unit, g.from_account
FROM account a
LEFT JOIN LATERAL (
  SELECT ra.role, ra.organisation_id AS unit, NULL::uuid AS from_account
  FROM role_assignment ra
  WHERE ra.account_id = a.id
    AND (ra.valid_from IS NULL OR ra.valid_from <= now()) AND (ra.valid_until IS NULL OR ra.valid_until > now())
  UNION ALL
  SELECT d.role, d.organisation_id, d.from_account_id
  FROM delegation d
  JOIN account f ON f.id = d.from_account_id AND f.status = 'active'
  WHERE d.to_account_id = a.id AND d.revoked_at IS NULL AND d.valid_from <= now() AND d.valid_until > now()
    AND EXISTS (
      SELECT 1 FROM role_assignment r
      WHERE r.account_id = d.from_account_id AND r.role = d.role
        AND (r.valid_from IS NULL OR r.valid_from <= now()) AND (r.valid_until IS NULL OR r.valid_until > now())
        AND (r.organisation_id IS NULL OR EXISTS (
          SELECT 1 FROM organisation_closure c WHERE c.ancestor_id = r.organisation_id AND c.descendant_id = d.organisation_id))
    )
) g ON true
WHERE a.id = $1 AND a.kind = 'staff'`;

/** Adds a role held in `unit` (null: everywhere) to a grant map. */
function addRole(grants: Grants, role: RoleDefinition, unit: string | null): void {
  if (unit === null) {
    if (role.name === RoleName.Admin) grants.set('*' as Permission, '*');
    for (const p of role.permissions) grants.set(p, '*');
    return;
  }
  for (const p of role.permissions) {
    const held = grants.get(p);
    if (held === '*') continue;
    if (held) held.add(unit);
    else grants.set(p, new Set([unit]));
  }
}
