// A real OpenID Connect provider (panva/oidc-provider, certified) on loopback, standing in for the
// national eID in e2e tests. Run as a child process so its ESM/Koa stack stays outside Jest:
//
//   node test/support/oidc-provider.mjs <client_id> <client_secret> <redirect_uri>
//
// It listens on an ephemeral 127.0.0.1 port and prints one line `ready <issuer>` on stdout.
// devInteractions accept any login name as the subject (tests only). The claims each subject
// releases are set by the test with `PUT <issuer>/test/accounts/<sub>` (JSON object of claims);
// an unknown subject releases only `sub`.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!clientId || !clientSecret || !redirectUri) {
  console.error('usage: oidc-provider.mjs <client_id> <client_secret> <redirect_uri>');
  process.exit(2);
}

/** claims per subject, set by the test */
const accounts = new Map();
/** the custom claim a national eID releases under the `national_id` scope */
const NATIONAL_ID_CLAIM = 'cn_national_id';

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
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    openid: ['sub'],
    profile: ['name'],
    phone: ['phone_number', 'phone_number_verified'],
    email: ['email', 'email_verified'],
    national_id: [NATIONAL_ID_CLAIM],
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  async findAccount(_ctx, sub) {
    return { accountId: sub, claims: async () => ({ ...(accounts.get(sub) ?? {}), sub }) };
  },
});
provider.on('server_error', (_ctx, err) => console.error('provider server_error', err));

const callback = provider.callback();
server.on('request', (req, res) => {
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
