import { Injectable, Logger } from '@nestjs/common';
import { importJWK } from 'jose';
import * as oidc from 'openid-client';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import type { OidcConfig } from '../../../../config/config';
import type { OidcCallbackQueryDto } from './dto/oidc.dto';
import type { OidcState } from './oidc-state.entity';

const PROVIDER_TIMEOUT_S = 10;

/** openid-client error codes meaning "the provider's answer did not validate" (iss, aud, nonce, exp, signature, sub). */
const UNTRUSTED_RESPONSE = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_KEY_SELECTION_FAILED',
]);

const tokenInvalid = (): DomainError => new DomainError(ErrorCode.OidcIdTokenInvalid);

/** The provider's verdict on a finished sign-in: merged claims, and whether the ID token's acr met OIDC_ACR_VALUES. */
interface ProviderResult {
  claims: Record<string, unknown>;
  assured: boolean;
}

/**
 * The conversation with the OpenID Connect provider (openid-client 6): discovery, once and again
 * after a failure; the code exchanged for tokens with PKCE, the ID token validated (signature, iss,
 * aud, exp, nonce, acr), userinfo; the provider's failures turned into our errors.
 */
@Injectable()
export class OidcProvider {
  private readonly log = new Logger('OidcProvider');
  /** discovered once, on first use; forgotten after a failure so the next request tries again */
  private provider: Promise<oidc.Configuration> | null = null;

  discover(settings: OidcConfig): Promise<oidc.Configuration> {
    this.provider ??= (async () => {
      const insecure = new URL(settings.issuer).protocol === 'http:'; // loopback only, see config.ts
      const provider = await oidc.discovery(
        new URL(settings.issuer),
        settings.clientId,
        undefined,
        await clientAuthentication(settings),
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

  /**
   * Code for tokens (PKCE), ID token validated, userinfo fetched for the same subject; claims
   * merged. The acr is read from the signed ID token only (never userinfo).
   */
  async exchange(
    provider: oidc.Configuration,
    settings: OidcConfig,
    query: OidcCallbackQueryDto,
    started: OidcState,
  ): Promise<ProviderResult> {
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
        ...(settings.maxAge !== null ? { maxAge: settings.maxAge } : {}),
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw tokenInvalid();
      // Checked before anything is fetched or written: a sign-in below the level makes no account.
      const assured = settings.acrValues.length > 0;
      if (assured && !(typeof idClaims.acr === 'string' && settings.acrValues.includes(idClaims.acr))) {
        this.log.warn(
          `OIDC sign-in refused: acr ${JSON.stringify(idClaims.acr ?? null)} is not in OIDC_ACR_VALUES`,
        );
        throw new DomainError(ErrorCode.OidcAcrNotMet, { required: settings.acrValues.join(' ') });
      }
      const userinfo =
        provider.serverMetadata().userinfo_endpoint && tokens.access_token
          ? await oidc.fetchUserInfo(provider, tokens.access_token, idClaims.sub)
          : {};
      // The signed ID token wins where both carry a claim.
      return { claims: { ...userinfo, ...idClaims }, assured };
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
}

/** How we authenticate at the provider's token endpoint (OIDC_CLIENT_AUTH). */
async function clientAuthentication(settings: OidcConfig): Promise<oidc.ClientAuth> {
  switch (settings.clientAuth) {
    case 'private_key_jwt': {
      // RFC 7523 client assertion signed with our key; the provider verifies it with the public
      // half, registered with it or fetched from GET /v1/auth/oidc/jwks.json.
      const { privateJwk, alg, kid } = settings.clientKey!;
      const key = (await importJWK({ ...privateJwk }, alg)) as oidc.CryptoKey;
      return oidc.PrivateKeyJwt({ key, kid });
    }
    case 'client_secret_post':
      return oidc.ClientSecretPost(settings.clientSecret!);
    default:
      return oidc.ClientSecretBasic(settings.clientSecret!);
  }
}
