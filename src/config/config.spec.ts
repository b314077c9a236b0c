import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ConfigError, DEV_SECRETS, loadConfig } from './config';

/** The error loadConfig throws for env (fails the test when it does not throw). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const realSigningKey = Buffer.from(
  generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
).toString('base64');

/** A complete production environment with real (random) secrets. */
const production = (): Record<string, string> => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://ow:s3cret-pw@db.internal:5432/onewindow',
  AUDIT_ORIGIN: 'gov.example/audit',
  JWT_SECRET: randomBytes(48).toString('base64'),
  FIELD_KEYS: `k2026:${randomBytes(32).toString('base64')}`,
  BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
  SIGNING_KEY: realSigningKey,
});

describe('loadConfig', () => {
  it('has working defaults for development: embedded database, dev secrets, docs, demo data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: './data',
      embeddedInMemory: false,
      dbPoolSize: 10,
      publicBaseUrl: 'http://127.0.0.1:3000',
      corsOrigins: [],
      docsEnabled: true,
      graphqlIntrospection: true,
      logLevel: 'info',
      bodyLimitBytes: 1024 * 1024,
      seedDemoData: true,
      jobs: { enabled: true, pollMs: 1000 },
      idempotencyTtlHours: 24,
      notifyTransport: 'log',
      oidc: null,
      signingKeyPem: DEV_SECRETS.SIGNING_KEY,
      fieldKeys: DEV_SECRETS.FIELD_KEYS,
      // never this instance's HOST and PORT: every instance signs the one log under one name
      audit: { origin: 'localhost/audit', checkpointMinutes: 5 },
    });
    expect(c.jwt.secret.toString('utf8')).toBe(DEV_SECRETS.JWT_SECRET);
    expect(c.blindIndexKey).toEqual(Buffer.from(DEV_SECRETS.BLIND_INDEX_KEY, 'base64'));
    expect(c.blindIndexKey).toHaveLength(32);
  });

  it('keeps tests quiet and the job poller off under NODE_ENV=test; ":memory:" keeps the database in memory', () => {
    const c = loadConfig({ NODE_ENV: 'test', DATA_DIR: ':memory:' });
    expect(c).toMatchObject({
      env: 'test',
      logLevel: 'silent',
      jobs: { enabled: false },
      embeddedInMemory: true,
    });
  });

  it('reads every setting it is given', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      CORS_ORIGINS: ' https://portal.gov.example , http://localhost:5173',
      LOG_LEVEL: 'debug',
      JOBS_ENABLED: 'off',
      JOBS_POLL_MS: '250',
      DOCS_ENABLED: 'false',
      BODY_LIMIT_KB: '64',
      DB_POOL_SIZE: '25',
      PUBLIC_BASE_URL: 'https://api.gov.example',
    });
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      corsOrigins: ['https://portal.gov.example', 'http://localhost:5173'],
      logLevel: 'debug',
      jobs: { enabled: false, pollMs: 250 },
      docsEnabled: false,
      bodyLimitBytes: 64 * 1024,
      dbPoolSize: 25,
      publicBaseUrl: 'https://api.gov.example',
      audit: { origin: 'api.gov.example/audit' },
    });
  });

  // Each bad value stops the boot with a message naming the variable (main.ts prints it, exit 78).
  it.each([
    ['PORT', 'abc', /PORT must be an integer/],
    ['PORT', '70000', /PORT must be between 0 and 65535/],
    ['PORT', '-1', /PORT must be an integer/],
    ['DATABASE_URL', 'mysql://root@db/onewindow', /DATABASE_URL must start with postgres/],
    ['CORS_ORIGINS', 'bad', /CORS_ORIGINS entry "bad"/],
    ['CORS_ORIGINS', 'https://portal.gov.example/path', /CORS_ORIGINS entry/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
    ['NODE_ENV', 'staging', /NODE_ENV must be development, test or production, got "staging"/],
    ['JOBS_ENABLED', 'maybe', /JOBS_ENABLED must be true or false, got "maybe"/],
    ['JOBS_POLL_MS', '10', /JOBS_POLL_MS must be between/],
    ['DB_POOL_SIZE', '0', /DB_POOL_SIZE must be between/],
    ['BODY_LIMIT_KB', '1.5', /BODY_LIMIT_KB must be an integer/],
    ['DOCS_ENABLED', 'yes please', /DOCS_ENABLED must be true or false/],
    ['NOTIFY_TRANSPORT', 'sms', /NOTIFY_TRANSPORT must be log, none or smtp/],
    ['JWT_SECRET', 'short', /JWT_SECRET must be at least 32 bytes/],
    ['BLIND_INDEX_KEY', Buffer.alloc(16).toString('base64'), /BLIND_INDEX_KEY must be at least 32 bytes/],
    ['FIELD_KEYS', 'no-colon-here', /^FIELD_KEYS: .*must look like "kid:base64key"/],
    ['FIELD_KEYS', `k1:${Buffer.alloc(16).toString('base64')}`, /^FIELD_KEYS: .*must decode to 32 bytes/],
    ['SIGNING_KEY', 'bm90IGEga2V5', /^SIGNING_KEY: expected a PKCS#8 Ed25519/],
    ['PUBLIC_BASE_URL', 'not a url', /PUBLIC_BASE_URL must be an absolute URL/],
  ])('refuses %s=%s, naming the variable', (name, value, message) => {
    const err = configError({ NODE_ENV: 'development', [name]: value });
    expect(err.message).toMatch(message);
    expect(err.message).toContain(name);
  });

  it('never echoes a secret or a database password in its message', () => {
    const jwt = 'x'.repeat(20);
    expect(configError({ JWT_SECRET: jwt }).message).not.toContain(jwt);
    const fieldKey = Buffer.alloc(16, 5).toString('base64');
    expect(configError({ FIELD_KEYS: `k1:${fieldKey}` }).message).not.toContain(fieldKey);
    expect(configError({ DATABASE_URL: 'mysql://root:hunter2@db/x' }).message).not.toContain('hunter2');
  });

  describe('in production', () => {
    it('accepts real secrets and turns the development conveniences off', () => {
      const env = production();
      const c = loadConfig(env);
      expect(c).toMatchObject({
        env: 'production',
        host: '0.0.0.0',
        databaseUrl: env.DATABASE_URL,
        docsEnabled: false,
        graphqlIntrospection: false,
        seedDemoData: false,
        notifyTransport: 'none',
        signingKeyPem: realSigningKey,
        fieldKeys: env.FIELD_KEYS,
        channels: { provider: 'platform' },
      });
      expect(c.jwt.secret.toString('utf8')).toBe(env.JWT_SECRET);
      expect(c.blindIndexKey.toString('base64')).toBe(env.BLIND_INDEX_KEY);
    });

    it.each(['JWT_SECRET', 'FIELD_KEYS', 'BLIND_INDEX_KEY', 'SIGNING_KEY', 'DATABASE_URL', 'AUDIT_ORIGIN'])(
      'refuses to start without %s',
      (name) => {
        const env = production();
        delete env[name];
        expect(configError(env).message).toMatch(new RegExp(`^${name} is required in production`));
      },
    );

    it.each(['JWT_SECRET', 'FIELD_KEYS', 'BLIND_INDEX_KEY', 'SIGNING_KEY'] as const)(
      'refuses the published development %s',
      (name) => {
        const err = configError({ ...production(), [name]: DEV_SECRETS[name] });
        expect(err.message).toMatch(new RegExp(`^${name} is the development (secret|key)`));
      },
    );

    it('refuses a keyring that still holds the development field key', () => {
      const devKey = DEV_SECRETS.FIELD_KEYS.split(':')[1];
      const env = { ...production(), FIELD_KEYS: `new:${randomBytes(32).toString('base64')},old:${devKey}` };
      expect(configError(env).message).toMatch(/^FIELD_KEYS contains the development key/);
    });

    it('refuses the development-only conveniences', () => {
      expect(configError({ ...production(), NOTIFY_TRANSPORT: 'log' }).message).toMatch(
        /NOTIFY_TRANSPORT=log/,
      );
      expect(configError({ ...production(), CHANNEL_PROVIDER: 'dev' }).message).toMatch(
        /CHANNEL_PROVIDER=dev/,
      );
    });

    it('treats an empty variable as missing', () => {
      expect(configError({ ...production(), JWT_SECRET: '' }).message).toMatch(/^JWT_SECRET is required/);
      expect(configError({ ...production(), DATABASE_URL: '' }).message).toMatch(/^DATABASE_URL is required/);
    });
  });
});

describe('SMTP settings', () => {
  const smtpEnv = {
    NODE_ENV: 'development',
    NOTIFY_TRANSPORT: 'smtp',
    SMTP_FROM: 'OneWindow <noreply@gov.example>',
  };

  it('reads SMTP_URL and SMTP_FROM, requiring TLS only in production by default', () => {
    const c = loadConfig({
      ...smtpEnv,
      SMTP_URL: 'smtps://u:p@mail.gov.example:465',
      PUBLIC_BASE_URL: 'https://api.gov.example',
    });
    expect(c.smtp).toEqual({
      url: 'smtps://u:p@mail.gov.example:465',
      from: 'OneWindow <noreply@gov.example>',
      timeoutMs: 10_000,
      requireTls: false,
      messageIdDomain: 'api.gov.example',
    });
    expect(loadConfig({ NODE_ENV: 'development' }).smtp).toBeNull();
  });

  it('refuses a missing or malformed URL or sender without echoing the password', () => {
    expect(() => loadConfig(smtpEnv)).toThrow(/SMTP_URL is required/);
    const bad = () => loadConfig({ ...smtpEnv, SMTP_URL: 'http://u:hunter2@mail:25' });
    expect(bad).toThrow(/SMTP_URL must look like/);
    expect(bad).not.toThrow(/hunter2/);
    expect(() => loadConfig({ ...smtpEnv, SMTP_URL: 'smtp://mail:25', SMTP_FROM: 'nobody' })).toThrow(
      /SMTP_FROM must be/,
    );
  });
});

describe('FAULT_INJECT (crash tests only)', () => {
  it('is off unless set, and reads <point>:<action>', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).faultInject).toBeNull();
    expect(
      loadConfig({ NODE_ENV: 'test', FAULT_INJECT: 'idempotency-after-commit:kill' }).faultInject,
    ).toEqual({
      point: 'idempotency-after-commit',
      action: 'kill',
    });
    expect(
      loadConfig({ NODE_ENV: 'development', FAULT_INJECT: 'idempotency-before-commit:drop-connection' })
        .faultInject,
    ).toEqual({ point: 'idempotency-before-commit', action: 'drop-connection' });
  });

  it('refuses an unknown point or action, and any value in production', () => {
    expect(configError({ NODE_ENV: 'test', FAULT_INJECT: 'somewhere:kill' }).message).toMatch(
      /FAULT_INJECT must be/,
    );
    expect(
      configError({ NODE_ENV: 'test', FAULT_INJECT: 'idempotency-after-commit:explode' }).message,
    ).toMatch(/FAULT_INJECT must be/);
    expect(configError({ ...production(), FAULT_INJECT: 'idempotency-after-commit:kill' }).message).toMatch(
      /FAULT_INJECT is for crash tests only/,
    );
  });
});
