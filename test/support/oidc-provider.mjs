// A real OpenID Connect provider (panva/oidc-provider, certified) on loopback, standing in for the
// national eID in e2e tests. Run as a child process so its ESM/Koa stack stays outside Jest:
//
//   node test/support/oidc-provider.mjs <client_id> <client_secret> <redirect_uri> [<client metadata JSON>]
//
// The optional last argument is merged into the client's registration, e.g.
// `{"token_endpoint_auth_method":"private_key_jwt","jwks_uri":"http://127.0.0.1:4000/v1/auth/oidc/jwks.json"}`.
// It listens on an ephemeral 127.0.0.1 port and prints one line `ready <issuer>` on stdout.
// devInteractions accept any login name as the subject (tests only). The claims each subject
// releases are set by the test with `PUT <issuer>/test/accounts/<sub>` (JSON object of claims;
// the member `_acr`, if any, is not a claim but the assurance level that subject's logins are
// made at, i.e. the ID token's `acr`); an unknown subject releases only `sub`.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri, clientJson] = process.argv.slice(2);
const clientOverrides = clientJson ? JSON.parse(clientJson) : {};
if (!clientId || !clientSecret || !redirectUri) {
  console.error('usage: oidc-provider.mjs <client_id> <client_secret> <redirect_uri>');
  process.exit(2);
}

/** claims per subject, set by the test */
const accounts = new Map();
/** the custom claim a national eID releases under the `national_id` scope */
const NATIONAL_ID_CLAIM = 'cn_national_id';
/** assurance levels this provider authenticates at (the `acr` of its ID tokens) */
const ACR_VALUES = ['urn:eid:loa:low', 'urn:eid:loa:substantial', 'urn:eid:loa:high'];

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-1' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...clientOverrides,
    },
  ],
  acrValues: ACR_VALUES,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    // Like many eIDs, this one releases the ID number with the profile (`national_id`, our default
    // claim name) and also under its own scope (`cn_national_id`).
    profile: ['name', 'national_id'],
    phone: ['phone_number', 'phone_number_verified'],
    email: ['email', 'email_verified'],
    national_id: [NATIONAL_ID_CLAIM],
  },
  features: { devInteractions: { enabled: true } },
  // Fetches (our client's jwks_uri) go to the app on loopback, which the provider's SSRF guard
  // refuses as a special-use address: the test provider drops that guard.
  fetch: (url, options) => {
    delete options.dispatcher;
    return fetch(url, options);
  },
  pkce: { required: () => true },
  async findAccount(_ctx, sub) {
    const { _acr, ...claims } = accounts.get(sub) ?? {};
    void _acr;
    return { accountId: sub, claims: async () => ({ ...claims, sub }) };
  },
});
provider.on('server_error', (_ctx, err) => console.error('provider server_error', err));

const callback = provider.callback();

/**
 * The dev login form's submit, redone so that the login carries the subject's `_acr`: the dev
 * interactions record none. Other prompts (consent) go to the provider untouched.
 */
async function login(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') return false;
  let body = '';
  req.setEncoding('utf8');
  for await (const chunk of req) body += chunk;
  const sub = new URLSearchParams(body).get('login');
  const acr = accounts.get(sub)?._acr;
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: sub, ...(acr ? { acr } : {}) } },
    { mergeWithLastSubmission: false },
  );
  return true;
}

server.on('request', (req, res) => {
  if (req.method === 'POST' && /^\/interaction\/[^/?]+$/.test(req.url ?? '')) {
    login(req, res)
      .then((done) => done || callback(req, res))
      .catch((err) => {
        console.error('test login failed', err);
        res.writeHead(500).end();
      });
    return;
  }
  const m = /^\/test\/accounts\/([^/?]+)$/.exec(req.url ?? '');
  if (m && req.method === 'PUT') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        accounts.set(decodeURIComponent(m[1]), JSON.parse(body));
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
    return;
  }
  callback(req, res);
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test owns this process: when its stdin closes (Jest exited or crashed), so do we.
process.stdin.on('end', stop);
process.stdin.resume();

console.log(`ready ${issuer}`);
