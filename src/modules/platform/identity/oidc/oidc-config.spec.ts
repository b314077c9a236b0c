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
      clientSecret: 's3cret',
      redirectUri: 'https://api.example.gov/v1/auth/oidc/callback',
      scopes: 'openid',
      claims: { nationalId: null, name: 'name', phone: 'phone_number' },
    });
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
