import { createHash, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { ConfigError, loadConfig, oidcConfig } from '../../../../config/config';

const BASE = { NODE_ENV: 'test', OIDC_CLIENT_ID: 'ow', OIDC_CLIENT_SECRET: 's3cret' };

describe('OIDC_* configuration', () => {
  it('is off without OIDC_ISSUER', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).oidc).toBeNull();
  });

  it('has defaults for everything but the provider and the client registration', () => {
    expect(
      loadConfig({
        ...BASE,
        OIDC_ISSUER: 'https://eid.example.gov',
        PUBLIC_BASE_URL: 'https://api.example.gov/',
      }).oidc,
    ).toEqual({
      issuer: 'https://eid.example.gov',
      clientId: 'ow',
      clientAuth: 'client_secret_basic',
      clientSecret: 's3cret',
      clientKey: null,
      redirectUri: 'https://api.example.gov/v1/auth/oidc/callback',
      // what the README documents: enough for a name, a phone and (claim national_id) the ID number
      scopes: 'openid profile phone',
      claims: { nationalId: 'national_id', name: 'name', phone: 'phone_number' },
      acrValues: [],
      maxAge: null,
      frontendRedirectUri: null,
    });
  });

  it('reads the client authentication method and, for private_key_jwt, our key as PEM, base64 PEM or JWK', () => {
    const issuer = { ...BASE, OIDC_ISSUER: 'https://eid.example.gov' };
    expect(loadConfig({ ...issuer, OIDC_CLIENT_AUTH: 'client_secret_post' }).oidc).toMatchObject({
      clientAuth: 'client_secret_post',
      clientSecret: 's3cret',
      clientKey: null,
    });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const jwk = privateKey.export({ format: 'jwk' });
    const pub = createPublicKey(privateKey).export({ format: 'jwk' });
    const forms = [pem, pem.replace(/\n/g, '\\n'), Buffer.from(pem).toString('base64'), JSON.stringify(jwk)];
    for (const key of forms) {
      const oidc = loadConfig({
        ...issuer,
        OIDC_CLIENT_SECRET: '',
        OIDC_CLIENT_AUTH: 'private_key_jwt',
        OIDC_CLIENT_PRIVATE_KEY: key,
        OIDC_CLIENT_KEY_ID: 'k1',
      }).oidc!;
      expect(oidc.clientSecret).toBeNull();
      expect(oidc.clientKey).toEqual({
        alg: 'ES256',
        kid: 'k1',
        privateJwk: jwk,
        publicJwk: { ...pub, kid: 'k1', alg: 'ES256', use: 'sig' },
      });
      expect(oidc.clientKey!.publicJwk).not.toHaveProperty('d');
    }
    // Without OIDC_CLIENT_KEY_ID the kid is the RFC 7638 thumbprint.
    const thumbprint = createHash('sha256')
      .update(JSON.stringify({ crv: pub.crv, kty: pub.kty, x: pub.x, y: pub.y }))
      .digest('base64url');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const ed = generateKeyPairSync('ed25519').privateKey;
    const keyed = (k: KeyObject) =>
      loadConfig({
        ...issuer,
        OIDC_CLIENT_AUTH: 'private_key_jwt',
        OIDC_CLIENT_PRIVATE_KEY: k.export({ format: 'pem', type: 'pkcs8' }).toString(),
      }).oidc!.clientKey!;
    expect(keyed(privateKey).kid).toBe(thumbprint);
    expect(keyed(rsa).alg).toBe('RS256');
    expect(keyed(ed).alg).toBe('Ed25519');
  });

  it('reads the assurance levels, max_age and the frontend redirect', () => {
    const oidc = loadConfig({
      ...BASE,
      OIDC_ISSUER: 'https://eid.example.gov',
      OIDC_ACR_VALUES: ' urn:eid:loa:substantial  urn:eid:loa:high ',
      OIDC_MAX_AGE: '600',
      OIDC_FRONTEND_REDIRECT_URI: 'https://portal.example.gov/eid?x=1',
    }).oidc!;
    expect(oidc.acrValues).toEqual(['urn:eid:loa:substantial', 'urn:eid:loa:high']);
    expect(oidc.maxAge).toBe(600);
    expect(oidc.frontendRedirectUri).toBe('https://portal.example.gov/eid?x=1');
    // The frontend must be https in production, like every OIDC URL.
    const prod = { ...BASE, OIDC_ISSUER: 'https://eid.example.gov' };
    expect(() =>
      oidcConfig(
        { ...prod, OIDC_FRONTEND_REDIRECT_URI: 'http://portal.example.gov/eid' },
        true,
        'https://api.example.gov',
      ),
    ).toThrow('OIDC_FRONTEND_REDIRECT_URI must be an https URL');
    expect(
      oidcConfig(
        { ...prod, OIDC_FRONTEND_REDIRECT_URI: 'https://portal.example.gov/eid' },
        true,
        'https://api.example.gov',
      )?.frontendRedirectUri,
    ).toBe('https://portal.example.gov/eid');
  });

  it('fails fast on a half or unsafe configuration', () => {
    const bad: Record<string, string>[] = [
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_CLIENT_ID: '' },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_CLIENT_SECRET: '' },
      { OIDC_ISSUER: 'http://eid.example.gov' },
      { OIDC_ISSUER: 'not a url' },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_SCOPES: 'profile phone' },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_REDIRECT_URI: 'http://api.example.gov/cb' },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_CLAIM_NATIONAL_ID: 'has space' },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_CLIENT_AUTH: 'none' },
      {
        OIDC_ISSUER: 'https://eid.example.gov',
        OIDC_CLIENT_AUTH: 'client_secret_post',
        OIDC_CLIENT_SECRET: '',
      },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_CLIENT_AUTH: 'private_key_jwt' },
      {
        OIDC_ISSUER: 'https://eid.example.gov',
        OIDC_CLIENT_AUTH: 'private_key_jwt',
        OIDC_CLIENT_PRIVATE_KEY: 'nope',
      },
      {
        OIDC_ISSUER: 'https://eid.example.gov',
        OIDC_CLIENT_AUTH: 'private_key_jwt',
        // a public key is not enough
        OIDC_CLIENT_PRIVATE_KEY: JSON.stringify(
          createPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey).export({
            format: 'jwk',
          }),
        ),
      },
      {
        OIDC_ISSUER: 'https://eid.example.gov',
        OIDC_CLIENT_AUTH: 'private_key_jwt',
        OIDC_CLIENT_PRIVATE_KEY: generateKeyPairSync('rsa', { modulusLength: 1024 })
          .privateKey.export({ format: 'pem', type: 'pkcs8' })
          .toString(),
      },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_ACR_VALUES: 'a "quoted" level' },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_MAX_AGE: '-1' },
      { OIDC_ISSUER: 'https://eid.example.gov', OIDC_FRONTEND_REDIRECT_URI: '/relative' },
      {
        OIDC_ISSUER: 'https://eid.example.gov',
        OIDC_FRONTEND_REDIRECT_URI: 'https://portal.example.gov/#frag',
      },
    ];
    for (const env of bad) expect(() => loadConfig({ ...BASE, ...env })).toThrow(ConfigError);
  });

  it('allows a plain-http loopback provider only outside production', () => {
    expect(loadConfig({ ...BASE, OIDC_ISSUER: 'http://127.0.0.1:4000' }).oidc?.issuer).toBe(
      'http://127.0.0.1:4000',
    );
    const prod = { ...BASE, OIDC_ISSUER: 'http://127.0.0.1:4000' };
    expect(() => oidcConfig(prod, true, 'https://api.example.gov')).toThrow(
      'OIDC_ISSUER must be an https URL',
    );
    expect(() =>
      oidcConfig({ ...prod, OIDC_ISSUER: 'https://eid.example.gov' }, true, 'http://127.0.0.1:3000'),
    ).toThrow('OIDC_REDIRECT_URI must be an https URL');
    expect(
      oidcConfig({ ...prod, OIDC_ISSUER: 'https://eid.example.gov' }, true, 'https://api.example.gov'),
    ).not.toBeNull();
  });
});
