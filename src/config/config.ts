import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { vkeyToPublicKey } from './keys/note-keys';
import { DEV_SIGNING_KEY, loadSigningKey } from './keys/signing-key';
import { OidcClientKey, parseOidcClientKey } from './keys/oidc-client-key';
import { parseKeyring } from './keys/keyring';

/**
 * Every setting comes from the environment and is checked once at boot. A bad value stops the
 * process with a message naming the variable, so a misconfigured instance never half-starts.
 */
export interface AppConfig {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  /** Real PostgreSQL when set; otherwise an embedded PGlite under dataDir. */
  databaseUrl?: string;
  /** the owner role's connection, used only to run migrations (MIGRATION_DATABASE_URL, default databaseUrl) */
  migrationDatabaseUrl?: string;
  dataDir: string;
  /** ':memory:' keeps the embedded database in memory (tests). */
  embeddedInMemory: boolean;
  dbPoolSize: number;
  publicBaseUrl: string;
  corsOrigins: string[];
  docsEnabled: boolean;
  /** in-process cache of published catalogue reads (CATALOG_CACHE=off: every read goes to the database) */
  catalogCache: boolean;
  directoryCache: boolean;
  graphqlIntrospection: boolean;
  logLevel: string;
  bodyLimitBytes: number;
  /**
   * OPEN311_JURISDICTION_ID: the one jurisdiction /open311/v2 serves (GeoReport v2 suggests the
   * site's root domain); `jurisdiction_id` is then optional, and any other value is 404.
   */
  open311JurisdictionId: string;
  /**
   * Shape caps on every JSON body and GraphQL variables, checked before validation: members of one
   * object, elements of one array, members in all (413 BODY_TOO_COMPLEX), nesting depth (400).
   */
  bodyShape: { maxKeysPerObject: number; maxArrayLength: number; maxMembers: number; maxDepth: number };
  rateLimit: {
    anonymousPerMinute: number;
    authenticatedPerMinute: number;
    /** where counters live; null: the default (see rateLimitStoreFor) */
    store: 'memory' | 'postgres' | 'redis' | null;
    /** REDIS_URL, for the redis store */
    redisUrl: string | null;
  };
  /** Express 'trust proxy': false (the socket's peer is the client), a hop count, or addresses/CIDRs */
  trustProxy: false | number | string[];
  /** how long /health/ready answers 503 after SIGTERM before the listener closes */
  shutdownDrainMs: number;
  /** where /metrics is served: a separate listener (port), and/or behind a bearer token on the main port */
  metrics: { port: number | null; host: string; token: string | null };
  jwt: {
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    secret: Buffer;
  };
  /** Ed25519 private key (PKCS#8 PEM, base64) signing audit checkpoints and e-licences. */
  signingKeyPem: string;
  fieldKeys: string;
  blindIndexKey: Buffer;
  seedDemoData: boolean;
  /** STAFF_SECOND_FACTOR_ROLES: roles needing a second factor; null: the catalogue's default (admin is always included) */
  secondFactorRoles: string[] | null;
  jobs: { enabled: boolean; pollMs: number };
  /** EVENT_RETENTION_DAYS: delivered domain events older than this are purged from the outbox */
  events: { retentionDays: number };
  idempotencyTtlHours: number;
  /**
   * Test-only fault (FAULT_INJECT=<point>:<action>), refused in production: at `point` of every
   * request that carries an Idempotency-Key, `kill` the process (SIGKILL) or `drop-connection` (end
   * the database session). Null: no fault, the normal case.
   */
  faultInject: FaultInjection | null;
  /** audit log: checkpoint origin line and signing key name; minutes between signed checkpoints */
  audit: { origin: string; checkpointMinutes: number; witness: AuditWitnessConfig };
  /** 'log' writes messages (verification codes included) to the log: development only; 'none' leaves them queued for a provider adapter. */
  notifyTransport: 'log' | 'none' | 'smtp';
  /** e-mail relay for NOTIFY_TRANSPORT=smtp (null otherwise) */
  smtp: SmtpConfig | null;
  /** citizen login through an external OpenID Connect provider (national eID); null (feature off) without OIDC_ISSUER */
  oidc: OidcConfig | null;
  /**
   * Mini-program login codes (wx.login and the like) exchanged server-side. 'dev' derives a stable
   * openid from the code without calling anyone (local use only, refused in production); 'platform'
   * calls the platform (WeChat code2Session) for the apps listed in wechatApps (appId → AppSecret).
   */
  channels: ChannelsConfig;
  files: FilesConfig;
}

/** FILES_* and S3_* settings (P7): where uploaded bytes live and how large one may be. */
export interface FilesConfig {
  driver: 'local' | 's3';
  /** largest accepted file (413 above it) */
  maxBytes: number;
  /** unattached attachments older than this are purged, bytes and row */
  unattachedTtlHours: number;
  /** local driver's directory (DATA_DIR/files; a temp directory in tests without DATA_DIR) */
  localDir: string;
  s3: S3Config | null;
}

export interface S3Config {
  /** S3-compatible endpoint (MinIO, Ceph, OSS, COS); AWS when unset */
  endpoint: string | null;
  bucket: string;
  region: string;
  /** both or neither; neither: the SDK's default chain (instance role, env, profile) */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
  forcePathStyle: boolean;
}

/** AUDIT_WITNESS_* settings: where signed checkpoints are copied outside the database. */
export interface AuditWitnessConfig {
  /** append-only checkpoint log (DATA_DIR/audit/checkpoints.log; always on) */
  file: string;
  /** one object per checkpoint, keyed by tree size (null: off) */
  s3: (S3Config & { prefix: string }) | null;
  /** base URLs of OneWindow instances that witness this log (POST <url>/v1/audit/witness) */
  peers: string[];
  /** vkeys of other logs this instance witnesses (empty: POST /v1/audit/witness refuses every origin) */
  trustedKeys: string[];
}

export interface ChannelsConfig {
  provider: 'dev' | 'platform';
  wechatApps: Record<string, string>;
  wechatApiBase: string;
  timeoutMs: number;
}

/** SMTP_* settings: SMTP_URL smtp://user:pass@host:587 (STARTTLS) or smtps://…:465 (implicit TLS), SMTP_FROM. */
export interface SmtpConfig {
  url: string;
  from: string;
  /** connect and greeting timeout; the socket may idle three times as long */
  timeoutMs: number;
  /** refuse to send over smtp:// unless the server upgrades with STARTTLS (default on in production) */
  requireTls: boolean;
  /** right-hand side of Message-IDs: the host of PUBLIC_BASE_URL */
  messageIdDomain: string;
}

/** OIDC_* settings: the provider, this client's registration there, and which claims carry what. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** how we authenticate at the token endpoint (OIDC_CLIENT_AUTH) */
  clientAuth: OidcClientAuth;
  /** OIDC_CLIENT_SECRET: required for the client_secret_* methods, unused with private_key_jwt */
  clientSecret: string | null;
  /** OIDC_CLIENT_PRIVATE_KEY / OIDC_CLIENT_KEY_ID: required for private_key_jwt */
  clientKey: OidcClientKey | null;
  /** this API's callback as registered at the provider (default PUBLIC_BASE_URL + /v1/auth/oidc/callback) */
  redirectUri: string;
  /** space-separated, always including openid */
  scopes: string;
  /** claim names; a phone number links or is stored only when `<phone>_verified` is true */
  claims: { nationalId: string | null; name: string; phone: string };
  /**
   * OIDC_ACR_VALUES: assurance levels requested (`acr_values`) and one of which the ID token's `acr`
   * must carry; empty: none requested, and no sign-in marks an account's identity verified
   */
  acrValues: string[];
  /** OIDC_MAX_AGE: seconds since the person last authenticated at the provider (`max_age`, `auth_time` checked); null: not asked */
  maxAge: number | null;
  /**
   * OIDC_FRONTEND_REDIRECT_URI: when set, the callback redirects (303) there with a one-time code
   * (`?code=`) or `?error=`, and the frontend exchanges the code at POST /v1/auth/oidc/exchange;
   * null: the callback answers the token pair as JSON (API clients)
   */
  frontendRedirectUri: string | null;
}

export const OIDC_CLIENT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
] as const;
export type OidcClientAuth = (typeof OIDC_CLIENT_AUTH_METHODS)[number];

export class ConfigError extends Error {}

/** Development secrets: fixed so a restart keeps tokens valid; production refuses them. */
export const DEV_SECRETS = {
  JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789abcdef',
  FIELD_KEYS: `dev1:${Buffer.alloc(32, 7).toString('base64')}`,
  BLIND_INDEX_KEY: Buffer.alloc(32, 9).toString('base64'),
  SIGNING_KEY: 'dev',
};

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function secret(env: Env, name: string, isProd: boolean, minBytes: number, dev: string): Buffer {
  const raw = env[name];
  if (!raw) {
    if (isProd) throw new ConfigError(`${name} is required in production`);
    return Buffer.from(dev, name === 'JWT_SECRET' ? 'utf8' : 'base64');
  }
  if (isProd && raw === dev)
    throw new ConfigError(`${name} is the development secret; set a real one in production`);
  const buf = name === 'JWT_SECRET' ? Buffer.from(raw, 'utf8') : Buffer.from(raw, 'base64');
  if (buf.length < minBytes) throw new ConfigError(`${name} must be at least ${minBytes} bytes`);
  return buf;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV || 'development';
  if (!['development', 'test', 'production'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be development, test or production, got "${nodeEnv}"`);
  }
  const isProd = nodeEnv === 'production';
  // First: a production process with the crash tests' switch must not start, whatever else is set.
  const faultInject = faultInjection(env, isProd);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const port = int(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || (isProd ? '0.0.0.0' : '127.0.0.1');
  const dataDir = env.DATA_DIR || './data';
  const fieldKeys = env.FIELD_KEYS || (isProd ? '' : DEV_SECRETS.FIELD_KEYS);
  if (!fieldKeys) throw new ConfigError('FIELD_KEYS is required in production');
  if (isProd && fieldKeys === DEV_SECRETS.FIELD_KEYS) {
    throw new ConfigError('FIELD_KEYS is the development secret; set a real one in production');
  }
  // Checked here, not first in PersonalDataService: a malformed keyring is a configuration error (exit 78).
  let keyring: Record<string, Buffer>;
  try {
    keyring = parseKeyring(fieldKeys);
  } catch (e) {
    throw new ConfigError(`FIELD_KEYS: ${e instanceof Error ? e.message : String(e)}`);
  }
  const devFieldKey = DEV_SECRETS.FIELD_KEYS.slice(DEV_SECRETS.FIELD_KEYS.indexOf(':') + 1);
  if (isProd && Object.values(keyring).some((k) => k.toString('base64') === devFieldKey)) {
    throw new ConfigError('FIELD_KEYS contains the development key; remove it in production');
  }
  const signingKeyPem = env.SIGNING_KEY || (isProd ? '' : DEV_SECRETS.SIGNING_KEY);
  if (!signingKeyPem) throw new ConfigError('SIGNING_KEY is required in production');
  if (isProd && signingKeyPem === DEV_SIGNING_KEY)
    throw new ConfigError('SIGNING_KEY is the development key; set a real one in production');
  try {
    loadSigningKey(signingKeyPem);
  } catch (e) {
    throw new ConfigError(`SIGNING_KEY: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (isProd && !databaseUrl) throw new ConfigError('DATABASE_URL is required in production');
  const migrationDatabaseUrl = env.MIGRATION_DATABASE_URL || databaseUrl;
  if (migrationDatabaseUrl && !/^postgres(ql)?:\/\//.test(migrationDatabaseUrl))
    throw new ConfigError('MIGRATION_DATABASE_URL must start with postgres:// or postgresql://');
  if (migrationDatabaseUrl && !databaseUrl)
    throw new ConfigError('MIGRATION_DATABASE_URL needs DATABASE_URL (the runtime role) as well');
  const notifyTransport = env.NOTIFY_TRANSPORT || (isProd ? 'none' : 'log');
  if (notifyTransport !== 'log' && notifyTransport !== 'none' && notifyTransport !== 'smtp')
    throw new ConfigError(`NOTIFY_TRANSPORT must be log, none or smtp, got "${notifyTransport}"`);
  if (isProd && notifyTransport === 'log')
    throw new ConfigError('NOTIFY_TRANSPORT=log would write verification codes to production logs');
  const origins = (env.CORS_ORIGINS || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (!/^https?:\/\/[^/]+$/.test(o))
      throw new ConfigError(`CORS_ORIGINS entry "${o}" must be an origin like https://portal.example.gov`);
  }
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      `LOG_LEVEL must be one of fatal,error,warn,info,debug,trace,silent, got "${logLevel}"`,
    );
  }
  return {
    env: nodeEnv as AppConfig['env'],
    port,
    host,
    databaseUrl,
    migrationDatabaseUrl,
    dataDir,
    embeddedInMemory: dataDir === ':memory:',
    dbPoolSize: int(env, 'DB_POOL_SIZE', 10, 1, 200),
    publicBaseUrl: env.PUBLIC_BASE_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    corsOrigins: origins,
    docsEnabled: bool(env, 'DOCS_ENABLED', !isProd),
    catalogCache: bool(env, 'CATALOG_CACHE', true),
    directoryCache: bool(env, 'DIRECTORY_CACHE', true),
    graphqlIntrospection: bool(env, 'GRAPHQL_INTROSPECTION', !isProd),
    logLevel,
    bodyLimitBytes: int(env, 'BODY_LIMIT_KB', 1024, 1, 102400) * 1024,
    open311JurisdictionId: open311Jurisdiction(env.OPEN311_JURISDICTION_ID),
    bodyShape: {
      maxKeysPerObject: int(env, 'BODY_MAX_KEYS_PER_OBJECT', 1000, 1, 1_000_000),
      maxArrayLength: int(env, 'BODY_MAX_ARRAY_LENGTH', 5000, 1, 10_000_000),
      maxMembers: int(env, 'BODY_MAX_MEMBERS', 20_000, 1, 10_000_000),
      maxDepth: int(env, 'BODY_MAX_DEPTH', 32, 2, 256),
    },
    rateLimit: {
      anonymousPerMinute: int(env, 'RATE_LIMIT_ANONYMOUS', 300, 1, 1_000_000),
      authenticatedPerMinute: int(env, 'RATE_LIMIT_AUTHENTICATED', 1200, 1, 1_000_000),
      ...rateLimitStoreConfig(env),
    },
    trustProxy: trustProxyConfig(env.TRUST_PROXY),
    shutdownDrainMs: int(env, 'SHUTDOWN_DRAIN_MS', isProd ? 5000 : 0, 0, 120_000),
    metrics: metricsConfig(env, port),
    jwt: {
      issuer: env.JWT_ISSUER || 'onewindow',
      audience: env.JWT_AUDIENCE || 'onewindow-api',
      accessTtlSeconds: int(env, 'ACCESS_TOKEN_TTL', 900, 30, 86400),
      refreshTtlSeconds: int(env, 'REFRESH_TOKEN_TTL', 30 * 86400, 60, 365 * 86400),
      secret: secret(env, 'JWT_SECRET', isProd, 32, DEV_SECRETS.JWT_SECRET),
    },
    signingKeyPem,
    fieldKeys,
    blindIndexKey: secret(env, 'BLIND_INDEX_KEY', isProd, 32, DEV_SECRETS.BLIND_INDEX_KEY),
    seedDemoData: bool(env, 'SEED_DEMO_DATA', !isProd),
    secondFactorRoles: secondFactorRolesConfig(env.STAFF_SECOND_FACTOR_ROLES),
    jobs: {
      enabled: bool(env, 'JOBS_ENABLED', nodeEnv !== 'test'),
      pollMs: int(env, 'JOBS_POLL_MS', 1000, 50, 60000),
    },
    events: { retentionDays: int(env, 'EVENT_RETENTION_DAYS', 30, 1, 3650) },
    idempotencyTtlHours: int(env, 'IDEMPOTENCY_TTL_HOURS', 24, 1, 24 * 30),
    faultInject,
    audit: {
      origin: auditOrigin(env, isProd),
      checkpointMinutes: int(env, 'AUDIT_CHECKPOINT_MINUTES', 5, 1, 24 * 60),
      witness: auditWitnessConfig(env, isProd, nodeEnv, env.DATA_DIR || null),
    },
    notifyTransport,
    smtp:
      notifyTransport === 'smtp' ? smtpConfig(env, isProd, env.PUBLIC_BASE_URL || `http://${host}`) : null,
    oidc: oidcConfig(
      env,
      isProd,
      env.PUBLIC_BASE_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    ),
    channels: channelsConfig(env, isProd),
    files: filesConfig(env, isProd, nodeEnv, env.DATA_DIR || null),
  };
}

/** A domain-like id (`sfgov.org`): letters, digits, dots and hyphens, at most 253 characters. */
function open311Jurisdiction(raw: string | undefined): string {
  const id = (raw ?? '').trim().toLowerCase() || 'onewindow.example.gov.cn';
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(id))
    throw new ConfigError(
      `OPEN311_JURISDICTION_ID must be a domain-like id such as city.gov.cn, got "${raw}"`,
    );
  return id;
}

export const FAULT_POINTS = ['idempotency-before-commit', 'idempotency-after-commit'] as const;
export const FAULT_ACTIONS = ['kill', 'drop-connection'] as const;
export interface FaultInjection {
  point: (typeof FAULT_POINTS)[number];
  action: (typeof FAULT_ACTIONS)[number];
}

/** FAULT_INJECT: crash tests only; a production process refuses to start with it. */
function faultInjection(env: Env, isProd: boolean): FaultInjection | null {
  const raw = env.FAULT_INJECT?.trim();
  if (!raw) return null;
  if (isProd) throw new ConfigError('FAULT_INJECT is for crash tests only and is refused in production');
  const [point, action] = raw.split(':');
  const p = FAULT_POINTS.find((x) => x === point);
  const a = FAULT_ACTIONS.find((x) => x === action);
  if (!p || !a)
    throw new ConfigError(
      `FAULT_INJECT must be <${FAULT_POINTS.join('|')}>:<${FAULT_ACTIONS.join('|')}>, got "${raw}"`,
    );
  return { point: p, action: a };
}

/**
 * Local files go under DATA_DIR/files. Tests without DATA_DIR, and DATA_DIR=:memory:, write to a
 * temp directory rather than the developer's ./data.
 */
function filesConfig(env: Env, isProd: boolean, nodeEnv: string, dataDir: string | null): FilesConfig {
  const driver = env.FILES_DRIVER || 'local';
  if (driver !== 'local' && driver !== 's3')
    throw new ConfigError(`FILES_DRIVER must be local or s3, got "${driver}"`);
  const localDir =
    dataDir && dataDir !== ':memory:'
      ? join(dataDir, 'files')
      : nodeEnv === 'test' || dataDir === ':memory:'
        ? join(tmpdir(), `onewindow-${nodeEnv}-files`)
        : join('data', 'files');
  return {
    driver,
    maxBytes: int(env, 'FILES_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    unattachedTtlHours: int(env, 'FILES_UNATTACHED_TTL_HOURS', 24, 1, 24 * 30),
    localDir,
    s3: driver === 's3' ? s3Config(env, isProd) : null,
  };
}

function s3Config(env: Env, isProd: boolean): S3Config {
  const bucket = env.S3_BUCKET;
  // S3's bucket naming rules: 3–63 lowercase letters, digits, dots and hyphens.
  if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new ConfigError('S3_BUCKET is required with FILES_DRIVER=s3 and must be a valid bucket name');
  const region = env.S3_REGION || 'us-east-1';
  if (!/^[a-z0-9-]{2,40}$/.test(region))
    throw new ConfigError(`S3_REGION must look like cn-north-1, got "${region}"`);
  const endpoint = env.S3_ENDPOINT || null;
  if (endpoint) {
    if (!URL.canParse(endpoint) || !['http:', 'https:'].includes(new URL(endpoint).protocol))
      throw new ConfigError(`S3_ENDPOINT must be an http(s) URL, got "${endpoint}"`);
    const url = new URL(endpoint);
    if (url.username || url.password)
      throw new ConfigError('S3_ENDPOINT must not carry credentials; use S3_ACCESS_KEY_ID');
    if (isProd && url.protocol !== 'https:')
      throw new ConfigError('S3_ENDPOINT must use https in production');
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY;
  // The message names the variables only: a secret is never echoed.
  if (!accessKeyId !== !secretAccessKey)
    throw new ConfigError('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY go together: set both or neither');
  return {
    endpoint,
    bucket,
    region,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : null,
    forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', false),
  };
}

/** Plain http only to a loopback provider outside production (the test provider); https otherwise. */
function oidcUrl(name: string, raw: string, isProd: boolean): string {
  if (!URL.canParse(raw)) throw new ConfigError(`${name} must be an absolute URL, got "${raw}"`);
  const url = new URL(raw);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && !isProd))
    throw new ConfigError(`${name} must be an https URL, got "${raw}"`);
  if (url.hash || url.username || url.password)
    throw new ConfigError(`${name} must not have a fragment or credentials`);
  return raw;
}

export function oidcConfig(env: Env, isProd: boolean, publicBaseUrl: string): OidcConfig | null {
  if (!env.OIDC_ISSUER) return null;
  const issuer = oidcUrl('OIDC_ISSUER', env.OIDC_ISSUER, isProd);
  const clientId = env.OIDC_CLIENT_ID;
  if (!clientId) throw new ConfigError('OIDC_CLIENT_ID is required when OIDC_ISSUER is set');
  const clientAuth = (env.OIDC_CLIENT_AUTH || 'client_secret_basic') as OidcClientAuth;
  if (!OIDC_CLIENT_AUTH_METHODS.includes(clientAuth))
    throw new ConfigError(
      `OIDC_CLIENT_AUTH must be one of ${OIDC_CLIENT_AUTH_METHODS.join(', ')}, got "${env.OIDC_CLIENT_AUTH}"`,
    );
  const clientSecret = clientAuth === 'private_key_jwt' ? null : env.OIDC_CLIENT_SECRET || null;
  if (clientAuth !== 'private_key_jwt' && !clientSecret)
    throw new ConfigError(
      `OIDC_CLIENT_SECRET is required when OIDC_ISSUER is set (OIDC_CLIENT_AUTH=${clientAuth})`,
    );
  let clientKey: OidcClientKey | null = null;
  if (clientAuth === 'private_key_jwt') {
    if (!env.OIDC_CLIENT_PRIVATE_KEY)
      throw new ConfigError('OIDC_CLIENT_PRIVATE_KEY is required with OIDC_CLIENT_AUTH=private_key_jwt');
    try {
      clientKey = parseOidcClientKey(env.OIDC_CLIENT_PRIVATE_KEY, env.OIDC_CLIENT_KEY_ID || undefined);
    } catch (e) {
      throw new ConfigError(`OIDC_CLIENT_PRIVATE_KEY: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const redirectUri = oidcUrl(
    'OIDC_REDIRECT_URI',
    env.OIDC_REDIRECT_URI || `${publicBaseUrl.replace(/\/+$/, '')}/v1/auth/oidc/callback`,
    isProd,
  );
  const scopes = (env.OIDC_SCOPES || 'openid profile phone').split(/\s+/).filter(Boolean);
  if (!scopes.includes('openid')) throw new ConfigError('OIDC_SCOPES must include openid');
  if (!scopes.every((s) => /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)))
    throw new ConfigError(
      `OIDC_SCOPES has a character RFC 6749 does not allow in a scope: "${env.OIDC_SCOPES}"`,
    );
  const claim = (name: string, def: string | null): string | null => {
    const raw = env[name] || def;
    if (raw !== null && !/^[\x21-\x7E]{1,200}$/.test(raw))
      throw new ConfigError(`${name} must be a claim name, got "${raw}"`);
    return raw;
  };
  const acrValues = (env.OIDC_ACR_VALUES || '').split(/\s+/).filter(Boolean);
  if (!acrValues.every((v) => /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/.test(v)))
    throw new ConfigError(`OIDC_ACR_VALUES must be space-separated values, got "${env.OIDC_ACR_VALUES}"`);
  const frontendRedirectUri = env.OIDC_FRONTEND_REDIRECT_URI
    ? oidcUrl('OIDC_FRONTEND_REDIRECT_URI', env.OIDC_FRONTEND_REDIRECT_URI, isProd)
    : null;
  return {
    issuer,
    clientId,
    clientAuth,
    clientSecret,
    clientKey,
    redirectUri,
    scopes: scopes.join(' '),
    claims: {
      nationalId: claim('OIDC_CLAIM_NATIONAL_ID', 'national_id'),
      name: claim('OIDC_CLAIM_NAME', 'name')!,
      phone: claim('OIDC_CLAIM_PHONE', 'phone_number')!,
    },
    acrValues,
    maxAge: env.OIDC_MAX_AGE ? int(env, 'OIDC_MAX_AGE', 0, 0, 365 * 86400) : null,
    frontendRedirectUri,
  };
}

/**
 * C2SP checkpoint origin (also the signing key name): a schema-less URL, stable for the log's lifetime
 * and the same on every instance (all sign one log). Required in production; elsewhere it defaults to
 * PUBLIC_BASE_URL's host + /audit, or localhost/audit, never to an instance's own host and port.
 */
function auditOrigin(env: Env, isProd: boolean): string {
  let raw = env.AUDIT_ORIGIN;
  if (!raw && isProd)
    throw new ConfigError(
      'AUDIT_ORIGIN is required in production: the one name every instance signs the audit log under, e.g. gov.example/audit',
    );
  if (!raw) {
    const base = env.PUBLIC_BASE_URL;
    if (base && !URL.canParse(base))
      throw new ConfigError(`PUBLIC_BASE_URL must be an absolute URL, got "${base}"`);
    raw = base ? `${new URL(base).host}/audit` : 'localhost/audit';
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9.:/_-]{0,199}$/.test(raw)) {
    throw new ConfigError(
      `AUDIT_ORIGIN must be a schema-less URL such as gov.example/audit (letters, digits, . : / _ -), got "${raw}"`,
    );
  }
  return raw;
}

/**
 * The checkpoint log goes under DATA_DIR/audit (a fresh temp directory per app in tests without
 * DATA_DIR, so runs on different databases never share one). The S3 witness reads AUDIT_WITNESS_S3_*,
 * each falling back to the files driver's S3_* value, and is on when AUDIT_WITNESS_S3_BUCKET is set.
 */
function auditWitnessConfig(
  env: Env,
  isProd: boolean,
  nodeEnv: string,
  dataDir: string | null,
): AuditWitnessConfig {
  const file =
    env.AUDIT_WITNESS_FILE ||
    (dataDir && dataDir !== ':memory:'
      ? join(dataDir, 'audit', 'checkpoints.log')
      : nodeEnv === 'test' || dataDir === ':memory:'
        ? join(tmpdir(), `onewindow-${nodeEnv}-audit-${randomBytes(6).toString('hex')}`, 'checkpoints.log')
        : join('data', 'audit', 'checkpoints.log'));
  let s3: AuditWitnessConfig['s3'] = null;
  if (env.AUDIT_WITNESS_S3_BUCKET) {
    const own = (k: string): string | undefined => env[`AUDIT_WITNESS_S3_${k}`] || undefined;
    const ownKeys = own('ACCESS_KEY_ID') || own('SECRET_ACCESS_KEY');
    try {
      s3 = {
        ...s3Config(
          {
            S3_BUCKET: own('BUCKET'),
            S3_REGION: own('REGION') ?? env.S3_REGION,
            S3_ENDPOINT: own('ENDPOINT') ?? env.S3_ENDPOINT,
            S3_ACCESS_KEY_ID: ownKeys ? own('ACCESS_KEY_ID') : env.S3_ACCESS_KEY_ID,
            S3_SECRET_ACCESS_KEY: ownKeys ? own('SECRET_ACCESS_KEY') : env.S3_SECRET_ACCESS_KEY,
            S3_FORCE_PATH_STYLE: own('FORCE_PATH_STYLE') ?? env.S3_FORCE_PATH_STYLE,
          },
          isProd,
        ),
        prefix: env.AUDIT_WITNESS_S3_PREFIX ?? 'audit/checkpoints/',
      };
    } catch (e) {
      // s3Config names the files driver's variables; name the witness's.
      throw new ConfigError((e as Error).message.replace(/\bS3_/g, 'AUDIT_WITNESS_S3_'));
    }
    if (!/^([A-Za-z0-9._-]+\/)*$/.test(s3.prefix))
      throw new ConfigError('AUDIT_WITNESS_S3_PREFIX must be empty or end with / (e.g. audit/checkpoints/)');
  }
  const list = (name: string): string[] =>
    (env[name] || '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const peers = list('AUDIT_WITNESS_PEERS').map((u) => {
    if (!URL.canParse(u) || !['http:', 'https:'].includes(new URL(u).protocol))
      throw new ConfigError(`AUDIT_WITNESS_PEERS entry "${u}" must be an http(s) base URL`);
    if (isProd && new URL(u).protocol !== 'https:')
      throw new ConfigError('AUDIT_WITNESS_PEERS must use https in production');
    return u.replace(/\/+$/, '');
  });
  const trustedKeys = list('AUDIT_WITNESS_TRUSTED_KEYS');
  for (const vkey of trustedKeys) {
    try {
      vkeyToPublicKey(vkey);
    } catch (e) {
      throw new ConfigError(`AUDIT_WITNESS_TRUSTED_KEYS entry "${vkey}": ${(e as Error).message}`);
    }
  }
  return { file, s3, peers, trustedKeys };
}

function smtpConfig(env: Env, isProd: boolean, publicBaseUrl: string): SmtpConfig {
  const url = env.SMTP_URL;
  if (!url) throw new ConfigError('SMTP_URL is required when NOTIFY_TRANSPORT=smtp');
  // Messages name the variable only: the URL may carry the relay password.
  if (!URL.canParse(url) || !['smtp:', 'smtps:'].includes(new URL(url).protocol) || !new URL(url).hostname)
    throw new ConfigError('SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465');
  const from = env.SMTP_FROM;
  if (!from || !/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from))
    throw new ConfigError('SMTP_FROM must be an address such as "OneWindow <noreply@gov.example>"');
  let domain = 'onewindow.local';
  if (URL.canParse(publicBaseUrl)) domain = new URL(publicBaseUrl).hostname || domain;
  return {
    url,
    from,
    timeoutMs: int(env, 'SMTP_TIMEOUT_MS', 10_000, 100, 120_000),
    requireTls: bool(env, 'SMTP_REQUIRE_TLS', isProd),
    messageIdDomain: domain,
  };
}

/** `WECHAT_MP_APPS=wx0123456789abcdef:AppSecret,…`: AppSecrets stay on the server, never sent to a client. */
function channelsConfig(env: Env, isProd: boolean): ChannelsConfig {
  const provider = env.CHANNEL_PROVIDER || (isProd ? 'platform' : 'dev');
  if (provider !== 'dev' && provider !== 'platform')
    throw new ConfigError(`CHANNEL_PROVIDER must be dev or platform, got "${provider}"`);
  if (isProd && provider === 'dev')
    throw new ConfigError('CHANNEL_PROVIDER=dev accepts made-up login codes; it is refused in production');
  const wechatApps: Record<string, string> = {};
  for (const entry of (env.WECHAT_MP_APPS || '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const appId = colon > 0 ? entry.slice(0, colon) : '';
    // The message names the app id only: a secret is never echoed.
    if (!/^wx[0-9a-f]{16}$/.test(appId) || !/^[0-9A-Za-z]{16,64}$/.test(entry.slice(colon + 1)))
      throw new ConfigError(
        `WECHAT_MP_APPS entry "${appId || '?'}" must look like wx0123456789abcdef:AppSecret`,
      );
    wechatApps[appId] = entry.slice(colon + 1);
  }
  const base = env.WECHAT_API_BASE || 'https://api.weixin.qq.com';
  if (!URL.canParse(base) || !['https:', 'http:'].includes(new URL(base).protocol))
    throw new ConfigError(`WECHAT_API_BASE must be an http(s) URL, got "${base}"`);
  if (isProd && new URL(base).protocol !== 'https:')
    throw new ConfigError('WECHAT_API_BASE must use https in production');
  return {
    provider,
    wechatApps,
    wechatApiBase: base.replace(/\/+$/, ''),
    timeoutMs: int(env, 'CHANNEL_TIMEOUT_MS', 5000, 100, 60000),
  };
}

/** RATE_LIMIT_STORE and REDIS_URL (the store itself is chosen in rate-limit.store.ts, which knows the database). */
function rateLimitStoreConfig(env: Env): { store: AppConfig['rateLimit']['store']; redisUrl: string | null } {
  const store = env.RATE_LIMIT_STORE || null;
  if (store !== null && store !== 'memory' && store !== 'postgres' && store !== 'redis')
    throw new ConfigError(`RATE_LIMIT_STORE must be memory, postgres or redis, got "${store}"`);
  const redisUrl = env.REDIS_URL || null;
  // The message names the variable only: the URL may carry a password.
  if (redisUrl && (!URL.canParse(redisUrl) || !['redis:', 'rediss:'].includes(new URL(redisUrl).protocol)))
    throw new ConfigError('REDIS_URL must look like redis://[:password@]host:6379[/db] or rediss://…');
  if (store === 'redis' && !redisUrl) throw new ConfigError('RATE_LIMIT_STORE=redis needs REDIS_URL');
  return { store, redisUrl };
}

/**
 * STAFF_SECOND_FACTOR_ROLES: unset for the default; otherwise a comma list of role names (may be
 * empty: "none"). The names are checked against the role catalogue when the app is built
 * (role-catalogue.ts secondFactorRoles, a ConfigError): the configuration layer imports no module.
 */
export function secondFactorRolesConfig(raw: string | undefined): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  if (raw.trim() === 'none') return [];
  return raw.split(',').map((s) => s.trim());
}

/** Express's own preset names for address ranges, accepted in TRUST_PROXY lists. */
const TRUST_PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset/off (X-Forwarded-For ignored: the socket's peer is the client), a hop count
 * (1 = one proxy in front), or a comma-separated list of proxy addresses, CIDRs and Express presets
 * (loopback, linklocal, uniquelocal). `true` (trust every hop, so any client picks its own address)
 * is refused: a hop count says what is meant.
 */
export function trustProxyConfig(raw: string | undefined): false | number | string[] {
  const value = (raw ?? '').trim();
  if (!value || /^(off|false|no|0)$/i.test(value)) return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new ConfigError(`TRUST_PROXY hop count must be between 0 and 10, got ${hops}`);
    return hops;
  }
  if (/^(on|true|yes)$/i.test(value))
    throw new ConfigError(
      'TRUST_PROXY=true would let any client choose its address; give a hop count or addresses',
    );
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (TRUST_PROXY_PRESETS.includes(entry)) continue;
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (!family || !prefixOk || extra !== undefined)
      throw new ConfigError(
        `TRUST_PROXY entry "${entry}" must be an IP address, a CIDR (10.0.0.0/8), loopback, linklocal or uniquelocal`,
      );
  }
  return entries;
}

/** METRICS_PORT / METRICS_HOST (a separate scrape listener) and METRICS_TOKEN (bearer on the main port). */
function metricsConfig(env: Env, mainPort: number): AppConfig['metrics'] {
  const port = env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 0, 65535) : null;
  if (port !== null && port !== 0 && port === mainPort)
    throw new ConfigError(`METRICS_PORT must differ from PORT (${mainPort})`);
  const host = env.METRICS_HOST || '127.0.0.1';
  if (!isIP(host) && host !== 'localhost')
    throw new ConfigError(
      `METRICS_HOST must be an IP address to bind (127.0.0.1, 0.0.0.0, ::), got "${host}"`,
    );
  const token = env.METRICS_TOKEN || null;
  // The message says what is wrong, never the token.
  if (token !== null && !/^[\x21-\x7e]{24,256}$/.test(token))
    throw new ConfigError(
      'METRICS_TOKEN must be 24 to 256 visible ASCII characters (e.g. openssl rand -hex 24)',
    );
  return { port, host, token };
}

/** A random secret for `npm run secrets` style output in the README. */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64');
}

export const APP_CONFIG = Symbol('APP_CONFIG');
