import { generateEd25519, publicKeyToVkey } from '../checkpoint';

describe('AUDIT_WITNESS_* and MIGRATION_DATABASE_URL at boot (loadConfig)', () => {
  const load = async (env: Record<string, string>) =>
    (await import('../../../../config/config')).loadConfig({ NODE_ENV: 'test', ...env });

  it('keeps the checkpoint log under DATA_DIR, or in a temp directory of its own per test app', async () => {
    expect((await load({ DATA_DIR: '/srv/ow' })).audit.witness).toEqual({
      file: '/srv/ow/audit/checkpoints.log',
      s3: null,
      peers: [],
      trustedKeys: [],
    });
    expect((await load({ AUDIT_WITNESS_FILE: '/worm/ow.log' })).audit.witness.file).toBe('/worm/ow.log');
    const [a, b] = [(await load({})).audit.witness.file, (await load({})).audit.witness.file];
    expect(a).not.toBe(b);
    expect(a).toMatch(/onewindow-test-audit-[0-9a-f]{12}\/checkpoints\.log$/);
  });

  it('configures the S3 witness from AUDIT_WITNESS_S3_*, falling back to the files driver S3_*', async () => {
    const s3 = (
      await load({
        AUDIT_WITNESS_S3_BUCKET: 'ow-audit',
        S3_ENDPOINT: 'http://minio:9000',
        S3_ACCESS_KEY_ID: 'files-key',
        S3_SECRET_ACCESS_KEY: 'files-secret',
        AUDIT_WITNESS_S3_REGION: 'cn-east-2',
      })
    ).audit.witness.s3;
    expect(s3).toEqual({
      bucket: 'ow-audit',
      endpoint: 'http://minio:9000',
      region: 'cn-east-2',
      credentials: { accessKeyId: 'files-key', secretAccessKey: 'files-secret' },
      forcePathStyle: false,
      prefix: 'audit/checkpoints/',
    });
    await expect(load({ AUDIT_WITNESS_S3_BUCKET: 'No_Such' })).rejects.toThrow(
      /^AUDIT_WITNESS_S3_BUCKET is required/,
    );
    await expect(
      load({ AUDIT_WITNESS_S3_BUCKET: 'ow-audit', AUDIT_WITNESS_S3_ACCESS_KEY_ID: 'only-one' }),
    ).rejects.toThrow(/AUDIT_WITNESS_S3_ACCESS_KEY_ID and AUDIT_WITNESS_S3_SECRET_ACCESS_KEY go together/);
    await expect(
      load({ AUDIT_WITNESS_S3_BUCKET: 'ow-audit', AUDIT_WITNESS_S3_PREFIX: 'no-slash' }),
    ).rejects.toThrow(/AUDIT_WITNESS_S3_PREFIX/);
  });

  it('reads peers and trusted keys, refusing malformed ones with the variable named', async () => {
    const vkey = publicKeyToVkey('peer.gov.example/audit', generateEd25519().publicKey);
    expect(
      (
        await load({
          AUDIT_WITNESS_PEERS: 'https://a.gov.example/, http://127.0.0.1:3001',
          AUDIT_WITNESS_TRUSTED_KEYS: vkey,
        })
      ).audit.witness,
    ).toMatchObject({ peers: ['https://a.gov.example', 'http://127.0.0.1:3001'], trustedKeys: [vkey] });
    await expect(load({ AUDIT_WITNESS_PEERS: 'ftp://x' })).rejects.toThrow(
      /^AUDIT_WITNESS_PEERS entry "ftp:\/\/x"/,
    );
    await expect(load({ AUDIT_WITNESS_TRUSTED_KEYS: 'peer+00000000+AAAA' })).rejects.toThrow(
      /^AUDIT_WITNESS_TRUSTED_KEYS entry "peer\+00000000\+AAAA": malformed vkey/,
    );
  });

  it('runs migrations as MIGRATION_DATABASE_URL, defaulting to DATABASE_URL', async () => {
    const runtime = 'postgresql://ow_app@db/onewindow';
    expect((await load({ DATABASE_URL: runtime })).migrationDatabaseUrl).toBe(runtime);
    expect(
      (await load({ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: 'postgresql://ow_owner@db/onewindow' }))
        .migrationDatabaseUrl,
    ).toBe('postgresql://ow_owner@db/onewindow');
    await expect(load({ DATABASE_URL: runtime, MIGRATION_DATABASE_URL: 'mysql://x' })).rejects.toThrow(
      /^MIGRATION_DATABASE_URL must start with postgres/,
    );
    await expect(load({ MIGRATION_DATABASE_URL: runtime })).rejects.toThrow(/needs DATABASE_URL/);
  });
});
