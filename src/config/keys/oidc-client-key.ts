import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** Our key for `private_key_jwt` client authentication (RFC 7523 §2.2): the private half signs, the public half is published. */
export interface OidcClientKey {
  /** JWS algorithm the assertion is signed with, from the key type */
  alg: 'RS256' | 'ES256' | 'ES384' | 'Ed25519';
  /** `kid` in the assertion header and the published JWK: OIDC_CLIENT_KEY_ID, or the RFC 7638 thumbprint */
  kid: string;
  /** private JWK (never leaves the process) */
  privateJwk: JsonWebKey;
  /** what GET /v1/auth/oidc/jwks.json publishes: public members only, with kid, alg and use */
  publicJwk: JsonWebKey;
}

/**
 * Reads OIDC_CLIENT_PRIVATE_KEY: a PEM private key (PKCS#8 or the traditional RSA/EC forms; `\n`
 * escapes allowed, for one-line environment values), the same PEM base64-encoded, or a private JWK
 * as JSON. RSA (at least 2048 bits), EC P-256 / P-384 and Ed25519 are accepted.
 */
export function parseOidcClientKey(raw: string, keyId: string | undefined): OidcClientKey {
  const text = raw.trim();
  let key: KeyObject;
  try {
    if (text.startsWith('{')) {
      const jwk = JSON.parse(text) as JsonWebKey;
      if (typeof jwk.d !== 'string') throw new Error('the JWK has no private part ("d")');
      key = createPrivateKey({ key: jwk, format: 'jwk' });
    } else {
      const pem = text.includes('-----BEGIN')
        ? text.replace(/\\n/g, '\n')
        : Buffer.from(text, 'base64').toString('utf8');
      key = createPrivateKey(pem);
    }
  } catch (e) {
    throw new Error(`not a private key (PEM or JWK): ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  const alg = algorithmOf(key);
  const pub = createPublicKey(key).export({ format: 'jwk' });
  const kid = keyId ?? thumbprint(pub);
  if (!/^[\x21-\x7E]{1,128}$/.test(kid))
    throw new Error(`OIDC_CLIENT_KEY_ID must be 1-128 printable characters`);
  return {
    alg,
    kid,
    privateJwk: key.export({ format: 'jwk' }),
    publicJwk: { ...pub, kid, alg, use: 'sig' },
  };
}

function algorithmOf(key: KeyObject): OidcClientKey['alg'] {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      if ((details.modulusLength ?? 0) < 2048) throw new Error('an RSA key must have at least 2048 bits');
      return 'RS256';
    case 'ec':
      if (details.namedCurve === 'prime256v1') return 'ES256';
      if (details.namedCurve === 'secp384r1') return 'ES384';
      throw new Error(`EC curve ${details.namedCurve} is not supported (use P-256 or P-384)`);
    case 'ed25519':
      return 'Ed25519'; // RFC 9864's fully-specified name, as openid-client signs with it
    default:
      throw new Error(`key type ${key.asymmetricKeyType} is not supported (use RSA, EC or Ed25519)`);
  }
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) of a public JWK: its required members, sorted. */
function thumbprint(jwk: JsonWebKey): string {
  const members: Record<string, string[]> = {
    RSA: ['e', 'kty', 'n'],
    EC: ['crv', 'kty', 'x', 'y'],
    OKP: ['crv', 'kty', 'x'],
  };
  const required = members[jwk.kty ?? ''] ?? [];
  const canonical = JSON.stringify(Object.fromEntries(required.map((k) => [k, jwk[k as keyof JsonWebKey]])));
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}
