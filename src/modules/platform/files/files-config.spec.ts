import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../config/config';

/** The message loadConfig refuses env with. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

const S3 = { FILES_DRIVER: 's3', S3_BUCKET: 'ow-files' };

/** A complete production environment with real (random) secrets. */
const production = (): Record<string, string> => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://ow:pw@db.internal:5432/onewindow',
  AUDIT_ORIGIN: 'gov.example/audit',
  JWT_SECRET: randomBytes(48).toString('base64'),
  FIELD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
  SIGNING_KEY: Buffer.from(
    generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  ).toString('base64'),
});

describe('files configuration (FILES_*, S3_*)', () => {
  it('defaults to local files under DATA_DIR, 10 MiB, a day to attach', () => {
    expect(loadConfig({ DATA_DIR: '/srv/ow' }).files).toEqual({
      driver: 'local',
      maxBytes: 10 * 1024 * 1024,
      unattachedTtlHours: 24,
      localDir: join('/srv/ow', 'files'),
      s3: null,
    });
    expect(loadConfig({}).files.localDir).toBe(join('data', 'files'));
  });

  it('keeps tests and in-memory instances out of ./data', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).files.localDir).toBe(join(tmpdir(), 'onewindow-test-files'));
    expect(loadConfig({ DATA_DIR: ':memory:' }).files.localDir).toBe(
      join(tmpdir(), 'onewindow-development-files'),
    );
  });

  it('reads the S3 settings', () => {
    expect(
      loadConfig({
        ...S3,
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3_REGION: 'cn-north-1',
        S3_ACCESS_KEY_ID: 'AKID',
        S3_SECRET_ACCESS_KEY: 'secret',
        S3_FORCE_PATH_STYLE: 'true',
      }).files.s3,
    ).toEqual({
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'ow-files',
      region: 'cn-north-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      forcePathStyle: true,
    });
    expect(loadConfig(S3).files.s3).toMatchObject({
      endpoint: null,
      region: 'us-east-1',
      credentials: null,
      forcePathStyle: false,
    });
  });

  it.each([
    [{ FILES_DRIVER: 'ftp' }, /FILES_DRIVER must be local or s3/],
    [{ FILES_MAX_BYTES: '10MB' }, /FILES_MAX_BYTES must be an integer/],
    [{ FILES_MAX_BYTES: '0' }, /FILES_MAX_BYTES must be between/],
    [{ FILES_UNATTACHED_TTL_HOURS: '0' }, /FILES_UNATTACHED_TTL_HOURS must be between/],
    [{ FILES_DRIVER: 's3' }, /S3_BUCKET is required/],
    [{ ...S3, S3_BUCKET: 'Bad_Bucket' }, /S3_BUCKET/],
    [{ ...S3, S3_ENDPOINT: 'ftp://x' }, /S3_ENDPOINT must be an http\(s\) URL/],
    [{ ...S3, S3_ENDPOINT: 'https://key:pw@minio.example' }, /must not carry credentials/],
    [{ ...S3, S3_ACCESS_KEY_ID: 'AKID' }, /set both or neither/],
    [{ ...S3, S3_FORCE_PATH_STYLE: 'maybe' }, /S3_FORCE_PATH_STYLE must be true or false/],
  ])('refuses %j', (env, message) => {
    expect(refusal(env as Record<string, string>)).toMatch(message);
  });

  it('wants TLS to the object store in production', () => {
    const env = { ...production(), ...S3 };
    expect(refusal({ ...env, S3_ENDPOINT: 'http://minio.internal:9000' })).toMatch(/https in production/);
    expect(loadConfig({ ...env, S3_ENDPOINT: 'https://minio.internal:9000' }).files.s3?.endpoint).toBe(
      'https://minio.internal:9000',
    );
  });

  it('never echoes the secret key', () => {
    expect(refusal({ ...S3, S3_SECRET_ACCESS_KEY: 'top-secret-value' })).not.toContain('top-secret-value');
  });
});
