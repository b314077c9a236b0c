import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { APP_CONFIG, AppConfig, OidcConfig } from '../../../../config/config';
import { Db } from '../../../../database/db';
import { isUniqueViolation } from '../../../../database/db-errors';
import { AuditService } from '../../audit/audit.service';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { returning } from '../auth/sql';
import { RefreshTokensService } from '../auth/refresh-tokens.service';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import { OidcAuthorizeQueryDto, OidcCallbackQueryDto, OidcLoginDto } from './dto/oidc.dto';
import { ExternalIdentity } from './external-identity.entity';
import { ExternalPerson, externalPerson } from './oidc-claims';
import { OidcState } from './oidc-state.entity';

/** A started sign-in is good for 10 minutes. */
export const OIDC_STATE_TTL_MS = 10 * 60_000;
/** seconds allowed for each call to the provider (discovery, JWKS, token, userinfo) */
const PROVIDER_TIMEOUT_S = 10;

/** openid-client error codes meaning "the provider's answer did not validate" (iss, aud, nonce, exp, signature, sub). */
const UNTRUSTED_RESPONSE = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_KEY_SELECTION_FAILED',
]);

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const stateInvalid = (): DomainError => new DomainError(ErrorCode.OidcStateInvalid);
const tokenInvalid = (): DomainError => new DomainError(ErrorCode.OidcIdTokenInvalid);

interface Resolved {
  account: Account;
  linked: 'existing' | 'created';
}

/**
 * Citizen sign-in through an external OpenID Connect provider (a national eID): authorization code
 * flow with PKCE (S256), state and nonce (RFC 9700 §2.1). The external identity (issuer, sub) is
 * linked to an account found by an identifier the provider vouches for (national ID, verified phone,
 * verified e-mail), or a new active citizen account is made; either way the caller gets our own
 * token pair. Built on openid-client 6, which validates the ID token (signature by the provider's
 * JWKS, iss, aud, exp, nonce) and the RFC 9207 `iss` response parameter.
 */
@Injectable()
export class OidcService {
  private readonly log = new Logger('OidcService');
  /** discovered once, on first use; forgotten after a failure so the next request tries again */
  private provider: Promise<oidc.Configuration> | null = null;

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly personalData: PersonalDataService,
    private readonly sessions: RefreshTokensService,
    @Optional() private readonly audit?: AuditService,
  ) {}

  /** Starts a sign-in: stores state, nonce and PKCE verifier, and answers the provider URL to redirect to. */
  async authorize(
    _ctx: RequestContext,
    query: OidcAuthorizeQueryDto,
  ): Promise<{ url: string; statusCode: number }> {
    const settings = this.settings();
    const returnTo = this.allowedReturnTo(query.return_to);
    const provider = await this.discover(settings);
    const state = randomBytes(32).toString('base64url');
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    await this.db.transaction(async () => {
      // Abandoned sign-ins are swept here rather than by a job: the index makes it one cheap delete.
      await this.db.query('DELETE FROM oidc_state WHERE expires_at < $1', [new Date()]);
      const repo = this.db.repo(OidcState);
      await repo.save(
        repo.create({
          stateHash: sha256(state),
          codeVerifier,
          nonce,
          returnTo,
          expiresAt: new Date(Date.now() + OIDC_STATE_TTL_MS),
        }),
      );
    });
    const url = oidc.buildAuthorizationUrl(provider, {
      redirect_uri: settings.redirectUri,
      scope: settings.scopes,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, statusCode: 302 };
  }

  /**
   * Finishes a sign-in. The state is claimed (deleted) first, so it is single-use whatever happens
   * next; then the code is exchanged with the stored verifier and the ID token checked against the
   * stored nonce.
   */
  async callback(ctx: RequestContext, query: OidcCallbackQueryDto): Promise<OidcLoginDto> {
    const settings = this.settings();
    const started = await this.claimState(query.state);
    if (query.error) throw new DomainError(ErrorCode.OidcProviderError, { error: query.error });
    if (!query.code) {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/code', code: 'isDefined', message: 'code or error is required' },
      ]);
    }
    const provider = await this.discover(settings);
    const claims = await this.exchange(provider, settings, query, started);
    const person = externalPerson(claims, settings.claims);
    if (!person) throw tokenInvalid();
    const issuer = provider.serverMetadata().issuer;
    const signIn = () =>
      this.db.transaction(async () => {
        const { account, linked } = await this.resolveAccount(ctx, issuer, person);
        await this.db.query('UPDATE account SET last_login_at = $2 WHERE id = $1', [account.id, new Date()]);
        const pair = await this.sessions.startSession(ctx, account);
        return { ...pair, linked, returnTo: started.returnTo };
      });
    try {
      return await signIn();
    } catch (e) {
      // A concurrent first sign-in of the same person won the unique (issuer, subject) or contact
      // index; run again and find what it made.
      if (isUniqueViolation(e)) return signIn();
      throw e;
    }
  }

  private settings(): OidcConfig {
    if (!this.config.oidc) throw notFound('oidc');
    return this.config.oidc;
  }

  /** return_to must be on an allowlisted portal origin, so the flow cannot send anyone elsewhere. */
  private allowedReturnTo(raw: string | undefined): string | null {
    if (raw === undefined) return null;
    const origin = URL.canParse(raw) ? new URL(raw).origin : null;
    if (origin && this.config.corsOrigins.includes(origin)) return raw;
    throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
      {
        pointer: '/return_to',
        code: 'returnToNotAllowed',
        message: 'must be a URL on an allowlisted portal origin',
      },
    ]);
  }

  private async claimState(state: string): Promise<OidcState> {
    const [row] = await returning<{
      code_verifier: string;
      nonce: string;
      return_to: string | null;
      expires_at: Date;
    }>(
      this.db,
      'DELETE FROM oidc_state WHERE state_hash = $1 RETURNING code_verifier, nonce, return_to, expires_at',
      [sha256(state)],
    );
    if (!row || row.expires_at.getTime() <= Date.now()) throw stateInvalid();
    return Object.assign(new OidcState(), {
      codeVerifier: row.code_verifier,
      nonce: row.nonce,
      returnTo: row.return_to,
      expiresAt: row.expires_at,
    });
  }

  private discover(settings: OidcConfig): Promise<oidc.Configuration> {
    this.provider ??= (async () => {
      const insecure = new URL(settings.issuer).protocol === 'http:'; // loopback only, see config.ts
      const provider = await oidc.discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        oidc.ClientSecretBasic(settings.clientSecret),
        { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: PROVIDER_TIMEOUT_S },
      );
      provider.timeout = PROVIDER_TIMEOUT_S;
      return provider;
    })();
    return this.provider.catch((e: unknown) => {
      this.provider = null;
      this.log.warn(`OIDC discovery at ${settings.issuer} failed: ${String(e)}`);
      throw new DomainError(ErrorCode.ServiceUnavailable);
    });
  }

  /** Code for tokens (PKCE), ID token validated, userinfo fetched for the same subject; claims merged. */
  private async exchange(
    provider: oidc.Configuration,
    settings: OidcConfig,
    query: OidcCallbackQueryDto,
    started: OidcState,
  ): Promise<Record<string, unknown>> {
    const current = new URL(settings.redirectUri);
    for (const key of ['code', 'state', 'iss', 'session_state'] as const) {
      const value = query[key];
      if (value !== undefined) current.searchParams.set(key, value);
    }
    try {
      const tokens = await oidc.authorizationCodeGrant(provider, current, {
        pkceCodeVerifier: started.codeVerifier,
        expectedState: query.state,
        expectedNonce: started.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw tokenInvalid();
      const userinfo =
        provider.serverMetadata().userinfo_endpoint && tokens.access_token
          ? await oidc.fetchUserInfo(provider, tokens.access_token, idClaims.sub)
          : {};
      // The signed ID token wins where both carry a claim.
      return { ...userinfo, ...idClaims };
    } catch (e) {
      throw this.providerFailure(e);
    }
  }

  private providerFailure(e: unknown): DomainError {
    if (e instanceof DomainError) return e;
    if (e instanceof oidc.ResponseBodyError || e instanceof oidc.AuthorizationResponseError) {
      const error = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,128}$/.test(e.error) ? e.error : 'invalid_response';
      return new DomainError(ErrorCode.OidcProviderError, { error });
    }
    const code = (e as { code?: unknown } | null)?.code;
    if (e instanceof oidc.ClientError && typeof code === 'string' && UNTRUSTED_RESPONSE.has(code)) {
      this.log.warn(`OIDC response refused: ${code} ${e.message}`);
      return tokenInvalid();
    }
    this.log.warn(`OIDC provider call failed: ${String(e)}`);
    return new DomainError(ErrorCode.ServiceUnavailable);
  }

  /**
   * The account for this external identity, in order: the one already linked; the citizen account
   * holding the same national ID, verified phone or verified e-mail (linked now); a new one.
   */
  private async resolveAccount(
    ctx: RequestContext,
    issuer: string,
    person: ExternalPerson,
  ): Promise<Resolved> {
    const identities = this.db.repo(ExternalIdentity);
    const known = await identities.findOne({ where: { issuer, subject: person.subject } });
    const knownAccount = known
      ? await this.db.repo(Account).findOne({ where: { id: known.accountId } })
      : null;
    if (known && knownAccount) {
      assertUsable(knownAccount);
      await identities.update({ id: known.id }, { lastLoginAt: new Date() });
      return { account: knownAccount, linked: 'existing' };
    }
    // A link whose account is gone is stale: drop it and treat the person as new here.
    if (known) await identities.delete({ id: known.id });

    const nationalIdBidx = person.nationalId
      ? this.personalData.blindIndex(PersonalField.NationalId, person.nationalId)
      : null;
    const find = (where: { nationalIdBidx: string } | { phone: string } | { email: string }) =>
      this.db.repo(Account).findOne({ where });
    const holders = {
      nationalId: nationalIdBidx ? await find({ nationalIdBidx }) : null,
      phone: person.verifiedPhone ? await find({ phone: person.verifiedPhone }) : null,
      email: person.verifiedEmail ? await find({ email: person.verifiedEmail }) : null,
    };
    for (const holder of [holders.nationalId, holders.phone, holders.email]) {
      if (holder && (await this.linkable(holder, issuer, nationalIdBidx))) {
        assertUsable(holder);
        await this.link(ctx, holder, issuer, person, holders.nationalId ? null : nationalIdBidx);
        return { account: holder, linked: 'existing' };
      }
    }
    return { account: await this.create(ctx, issuer, person, holders, nationalIdBidx), linked: 'created' };
  }

  /**
   * Only a citizen account may be reached through a citizen eID (never staff or business: that
   * would skip their own factors), only one not yet linked to another subject of this provider,
   * and not one that records a different national ID (a recycled phone number, a shared mailbox).
   */
  private async linkable(account: Account, issuer: string, nationalIdBidx: string | null): Promise<boolean> {
    if (account.kind !== AccountKind.Citizen) return false;
    if (nationalIdBidx && account.nationalIdBidx && account.nationalIdBidx !== nationalIdBidx) return false;
    return !(await this.db.repo(ExternalIdentity).exists({ where: { issuer, accountId: account.id } }));
  }

  /**
   * Links and completes the account with what the eID vouches for and it lacks. A still-pending
   * account is activated, and the password of that unverified registration dropped: whoever
   * registered the number without proving it must not be able to sign in to the now real account.
   */
  private async link(
    ctx: RequestContext,
    account: Account,
    issuer: string,
    person: ExternalPerson,
    freeNationalIdBidx: string | null,
  ): Promise<void> {
    await this.saveIdentity(issuer, person.subject, account.id);
    const changes: Partial<Account> = {};
    if (!account.nationalIdBidx && freeNationalIdBidx && person.nationalId)
      Object.assign(changes, this.nationalIdColumns(person.nationalId, freeNationalIdBidx));
    if (!account.realName && person.name) changes.realName = person.name;
    if (account.status === AccountStatus.Pending)
      Object.assign(changes, {
        status: AccountStatus.Active,
        passwordHash: null,
        tokensValidAfter: new Date(),
      });
    if (Object.keys(changes).length) {
      await this.db.repo(Account).update({ id: account.id }, changes);
      Object.assign(account, changes);
    }
    await this.audit?.append(ctx, {
      action: 'account.oidc.link',
      resourceType: 'account',
      resourceId: account.id,
      subjectId: account.id,
    });
  }

  /** A new active citizen account; identifiers another account already holds are left off it. */
  private async create(
    ctx: RequestContext,
    issuer: string,
    person: ExternalPerson,
    holders: Record<'nationalId' | 'phone' | 'email', Account | null>,
    nationalIdBidx: string | null,
  ): Promise<Account> {
    const repo = this.db.repo(Account);
    const account = repo.create({
      kind: AccountKind.Citizen,
      status: AccountStatus.Active,
      phone: holders.phone ? null : person.verifiedPhone,
      email: holders.email ? null : person.verifiedEmail,
      username: null,
      passwordHash: null,
      displayName: null,
      realName: person.name,
      ...(person.nationalId && nationalIdBidx && !holders.nationalId
        ? this.nationalIdColumns(person.nationalId, nationalIdBidx)
        : { nationalIdEnc: null, nationalIdBidx: null, nationalIdLast4: null }),
      unifiedSocialCreditCode: null,
    });
    await repo.save(account);
    await this.saveIdentity(issuer, person.subject, account.id);
    await this.audit?.append(ctx, {
      action: 'account.oidc.create',
      resourceType: 'account',
      resourceId: account.id,
      subjectId: account.id,
    });
    return account;
  }

  private nationalIdColumns(
    nationalId: string,
    bidx: string,
  ): Pick<Account, 'nationalIdEnc' | 'nationalIdBidx' | 'nationalIdLast4'> {
    return {
      nationalIdEnc: this.personalData.encrypt(PersonalField.NationalId, nationalId),
      nationalIdBidx: bidx,
      nationalIdLast4: nationalId.slice(-4),
    };
  }

  private async saveIdentity(issuer: string, subject: string, accountId: string): Promise<void> {
    const repo = this.db.repo(ExternalIdentity);
    await repo.save(repo.create({ issuer, subject, accountId, lastLoginAt: new Date() }));
  }
}

function assertUsable(account: Account): void {
  if (account.status === AccountStatus.Disabled) throw new DomainError(ErrorCode.AccountDisabled);
}
