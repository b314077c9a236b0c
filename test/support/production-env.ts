import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * What a production instance needs to boot in-process: fresh random secrets (production refuses
 * the development ones), a fixed audit origin, no job worker, silent logs, rate limits in process.
 * DATABASE_URL is a placeholder that only satisfies the configuration check: startTestApp connects
 * to the run's database, startTestAppOnFreshDatabase to one of its own.
 */
export function productionEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused',
    AUDIT_ORIGIN: 'gov.example/audit',
    JWT_SECRET: randomBytes(48).toString('base64'),
    FIELD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    SIGNING_KEY: Buffer.from(
      generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    ).toString('base64'),
    JOBS_ENABLED: 'false',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_STORE: 'memory',
    ...extra,
  };
}
