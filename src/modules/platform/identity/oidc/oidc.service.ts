import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { APP_CONFIG, AppConfig, OidcConfig } from '../../../../config/config';
import { Db } from '../../../../database/db';
import { isUniqueViolation } from '../../../../database/db-errors';
import { Account } from '../account.entity';
import { returning } from '../auth/sql';
import { RefreshTokensService } from '../auth/refresh-tokens.service';
import {
  OidcAuthorizeQueryDto,
  OidcCallbackQueryDto,
  OidcExchangeDto,
  OidcJwkDto,
  OidcJwksDto,
  OidcLoginDto,
} from './dto/oidc.dto';
import { assertUsable, OidcAccountsService, ResolvedAccount } from './oidc-accounts.service';
import { externalPerson } from './oidc-claims';
import { OidcLoginCode } from './oidc-login-code.entity';
import { OidcProvider } from './oidc-provider';
import { OidcState } from './oidc-state.entity';

/** A started sign-in is good for 10 minutes. */
export const OIDC_STATE_TTL_MS = 10 * 60_000;
/** A finished browser sign-in's one-time code is good for 60 seconds. */
export const OIDC_CODE_TTL_MS = 60_000;
/** The browser binding cookie (frontend redirect mode): outlives a started sign-in and its code. */
export const OIDC_BINDING_COOKIE = 'ow_oidc_binding';
export const OIDC_BINDING_COOKIE_PATH = '/v1/auth/oidc';
/** seconds allowed for each call to the provider (discovery, JWKS, token, userinfo) */
/** our random values (state, binding, one-time code): 32 bytes, base64url */
const RANDOM_VALUE = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const random = (): string => randomBytes(32).toString('base64url');
const stateInvalid = (): DomainError => new DomainError(ErrorCode.OidcStateInvalid);
const tokenInvalid = (): DomainError => new DomainError(ErrorCode.OidcIdTokenInvalid);
const codeInvalid = (): DomainError => new DomainError(ErrorCode.OidcCodeInvalid);

/** What /authorize answers: the provider URL, and the binding cookie to set (frontend redirect mode). */
export interface OidcAuthorizeAnswer {
  url: string;
  statusCode: number;
  binding: { value: string; maxAgeMs: number; secure: boolean } | null;
}

/** What /callback answers: the token pair (JSON, API clients), or where to send the browser. */
export type OidcCallbackAnswer = { body: OidcLoginDto } | { redirect: string };

/**
 * Citizen sign-in through an external OpenID Connect provider (a national eID): authorization code
 * flow with PKCE (S256), state and nonce (RFC 9700 §2.1). The external identity (issuer, sub) is
 * linked to an account found by an identifier the provider vouches for (national ID, verified phone,
 * verified e-mail), or a new active citizen account is made (OidcAccountsService); the caller gets
 * our own token pair, as JSON from the callback, or (OIDC_FRONTEND_REDIRECT_URI) through a one-time
 * code the frontend exchanges. Built on openid-client 6, which validates the ID token (signature by
 * the provider's JWKS, iss, aud, exp, nonce) and the RFC 9207 `iss` response parameter; we check
 * the `acr` against OIDC_ACR_VALUES.
 */
@Injectable()
export class OidcService {
  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: OidcAccountsService,
    private readonly sessions: RefreshTokensService,
    private readonly provider: OidcProvider,
  ) {}

  /**
   * Starts a sign-in: stores state, nonce and PKCE verifier (and, in frontend redirect mode, the
   * hash of a fresh browser binding cookie), and answers the provider URL to redirect to.
   */
  async authorize(_ctx: RequestContext, query: OidcAuthorizeQueryDto): Promise<OidcAuthorizeAnswer> {
    const settings = this.settings();
    const returnTo = this.allowedReturnTo(query.return_to);
    const provider = await this.provider.discover(settings);
    const state = random();
    const binding = settings.frontendRedirectUri ? random() : null;
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    await this.db.transaction(async () => {
      // Abandoned sign-ins are swept here rather than by a job: the index makes it one cheap delete.
      await this.db.query('DELETE FROM oidc_state WHERE expires_at < $1', [new Date()]);
      const repo = this.db.repo(OidcState);
      await repo.save(
        repo.create({
          stateHash: sha256(state),
          bindingHash: binding ? sha256(binding) : null,
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
      ...(settings.acrValues.length ? { acr_values: settings.acrValues.join(' ') } : {}),
      ...(settings.maxAge !== null ? { max_age: String(settings.maxAge) } : {}),
    });
    return {
      url: url.href,
      statusCode: 302,
      binding: binding
        ? {
            value: binding,
            maxAgeMs: OIDC_STATE_TTL_MS + OIDC_CODE_TTL_MS,
            secure: new URL(settings.redirectUri).protocol === 'https:',
          }
        : null,
    };
  }

  /**
   * Finishes a sign-in. The state is claimed (deleted) first, so it is single-use whatever happens
   * next; then the code is exchanged with the stored verifier and the ID token checked against the
   * stored nonce (and acr). Without OIDC_FRONTEND_REDIRECT_URI the token pair is the answer; with
   * it the browser is sent there with a one-time code, or with `?error=<code>` when anything failed,
   * and never with a token in the URL.
   */
  async callback(ctx: RequestContext, query: OidcCallbackQueryDto): Promise<OidcCallbackAnswer> {
    const settings = this.settings();
    const frontend = settings.frontendRedirectUri;
    if (!frontend)
      return {
        body: await this.signIn(ctx, settings, query, async ({ account, linked }, started) => ({
          ...(await this.startSession(ctx, account)),
          linked,
          returnTo: started.returnTo,
        })),
      };
    try {
      const code = await this.signIn(ctx, settings, query, ({ account, linked }, started) =>
        this.issueCode(account, linked, started),
      );
      return { redirect: withParam(frontend, 'code', code) };
    } catch (e) {
      if (e instanceof DomainError) return { redirect: withParam(frontend, 'error', e.code) };
      throw e;
    }
  }

  /**
   * Frontend redirect mode: the one-time code from the callback for the token pair, once, within
   * OIDC_CODE_TTL_MS, and only from the browser that started the sign-in (its binding cookie). The
   * single use is one conditional UPDATE; a code presented by another browser is not used up.
   */
  async exchangeCode(
    ctx: RequestContext,
    dto: OidcExchangeDto,
    binding: string | undefined,
  ): Promise<OidcLoginDto> {
    if (!this.settings().frontendRedirectUri) throw notFound('oidc');
    if (!binding || !RANDOM_VALUE.test(binding)) throw codeInvalid();
    return this.db.transaction(async () => {
      const now = new Date();
      const [row] = await returning<{
        account_id: string;
        linked: 'existing' | 'created';
        return_to: string | null;
      }>(
        this.db,
        `UPDATE oidc_login_code SET used_at = $3, updated_at = $3, version = version + 1
         WHERE code_hash = $1 AND binding_hash = $2 AND used_at IS NULL AND expires_at > $3
         RETURNING account_id, linked, return_to`,
        [sha256(dto.code), sha256(binding), now],
      );
      if (!row) throw codeInvalid();
      const account = await this.db.repo(Account).findOne({ where: { id: row.account_id } });
      if (!account) throw codeInvalid();
      assertUsable(account);
      return { ...(await this.startSession(ctx, account)), linked: row.linked, returnTo: row.return_to };
    });
  }

  /** The public half of our private_key_jwt key, for the provider to fetch (RFC 7517 JWK Set). */
  jwks(): OidcJwksDto {
    const key = this.settings().clientKey;
    if (!key) throw notFound('oidc');
    return { keys: [key.publicJwk as unknown as OidcJwkDto] };
  }

  /** Claims the state, exchanges the code, resolves the account and, in the same transaction, runs `then`. */
  private async signIn<T>(
    ctx: RequestContext,
    settings: OidcConfig,
    query: OidcCallbackQueryDto,
    then: (resolved: ResolvedAccount, started: OidcState) => Promise<T>,
  ): Promise<T> {
    const started = await this.claimState(query.state);
    // A sign-in started before the frontend mode was switched on has no browser to bind the code to.
    if (settings.frontendRedirectUri && !started.bindingHash) throw stateInvalid();
    if (query.error) throw new DomainError(ErrorCode.OidcProviderError, { error: query.error });
    if (!query.code) {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/code', code: 'isDefined', message: 'code or error is required' },
      ]);
    }
    const provider = await this.provider.discover(settings);
    const { claims, assured } = await this.provider.exchange(provider, settings, query, started);
    const person = externalPerson(claims, settings.claims);
    if (!person) throw tokenInvalid();
    const issuer = provider.serverMetadata().issuer;
    const run = () =>
      this.db.transaction(async () =>
        then(await this.accounts.resolve(ctx, issuer, person, assured), started),
      );
    try {
      return await run();
    } catch (e) {
      // A concurrent first sign-in of the same person won the unique (issuer, subject) or contact
      // index; run again and find what it made.
      if (isUniqueViolation(e)) return run();
      throw e;
    }
  }

  private async startSession(ctx: RequestContext, account: Account) {
    await this.db.query('UPDATE account SET last_login_at = $2 WHERE id = $1', [account.id, new Date()]);
    return this.sessions.startSession(ctx, account);
  }

  /** Stores the hash of a fresh one-time code for this sign-in, bound to the browser that started it. */
  private async issueCode(
    account: Account,
    linked: ResolvedAccount['linked'],
    started: OidcState,
  ): Promise<string> {
    const code = random();
    const now = Date.now();
    // Spent and expired codes are swept here, like abandoned states at /authorize.
    await this.db.query('DELETE FROM oidc_login_code WHERE expires_at < $1', [
      new Date(now - OIDC_CODE_TTL_MS),
    ]);
    const repo = this.db.repo(OidcLoginCode);
    await repo.save(
      repo.create({
        codeHash: sha256(code),
        bindingHash: started.bindingHash!,
        accountId: account.id,
        linked,
        returnTo: started.returnTo,
        expiresAt: new Date(now + OIDC_CODE_TTL_MS),
        usedAt: null,
      }),
    );
    return code;
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
      binding_hash: string | null;
      expires_at: Date;
    }>(
      this.db,
      'DELETE FROM oidc_state WHERE state_hash = $1 RETURNING code_verifier, nonce, return_to, binding_hash, expires_at',
      [sha256(state)],
    );
    if (!row || row.expires_at.getTime() <= Date.now()) throw stateInvalid();
    return Object.assign(new OidcState(), {
      codeVerifier: row.code_verifier,
      nonce: row.nonce,
      returnTo: row.return_to,
      bindingHash: row.binding_hash,
      expiresAt: row.expires_at,
    });
  }
}

/** `uri` with one query parameter set (kept apart from any the frontend URI already has). */
function withParam(uri: string, name: 'code' | 'error', value: string): string {
  const url = new URL(uri);
  url.searchParams.set(name, value);
  return url.href;
}
