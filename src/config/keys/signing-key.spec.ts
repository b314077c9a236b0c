import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { DEV_SIGNING_KEY, loadSigningKey, SigningKeyError } from './signing-key';

describe('loadSigningKey', () => {
  it('derives the same Ed25519 development key every time', () => {
    const a = loadSigningKey(DEV_SIGNING_KEY);
    const b = loadSigningKey(DEV_SIGNING_KEY);
    expect(a.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(a.publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      b.publicKey.export({ format: 'der', type: 'spki' }),
    );
    const sig = sign(null, Buffer.from('x'), a.privateKey);
    expect(verify(null, Buffer.from('x'), b.publicKey, sig)).toBe(true);
  });

  it('accepts PEM, base64 of the PEM and base64 of the DER', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const want = privateKey.export({ format: 'der', type: 'pkcs8' });
    for (const v of [pem, Buffer.from(pem).toString('base64'), der.toString('base64')]) {
      expect(loadSigningKey(v).privateKey.export({ format: 'der', type: 'pkcs8' })).toEqual(want);
    }
  });

  it('refuses other key types and garbage with a message saying what is expected', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() => loadSigningKey(rsa)).toThrow(/must be an Ed25519 private key, got rsa/);
    expect(() => loadSigningKey('not a key!')).toThrow(SigningKeyError);
    expect(() => loadSigningKey(Buffer.from('hello').toString('base64'))).toThrow(/PKCS#8 Ed25519/);
  });
});

describe('SIGNING_KEY and AUDIT_ORIGIN at boot (loadConfig)', () => {
  // Imported lazily so this file's unit tests above do not depend on the config module.
  const load = async (env: Record<string, string>) => (await import('../config')).loadConfig(env);
  const prod = {
    NODE_ENV: 'production',
    DATABASE_URL: 'postgresql://db/onewindow',
    AUDIT_ORIGIN: 'gov.example/audit',
    JWT_SECRET: 'p'.repeat(40),
    FIELD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
    BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
    NOTIFY_TRANSPORT: 'none',
  };
  const realKey = Buffer.from(
    generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  ).toString('base64');

  it('stops a production boot without a fixed AUDIT_ORIGIN, even with PUBLIC_BASE_URL set', async () => {
    const { AUDIT_ORIGIN: _, ...withoutOrigin } = { ...prod, SIGNING_KEY: realKey };
    for (const env of [withoutOrigin, { ...withoutOrigin, PUBLIC_BASE_URL: 'https://api.gov.example' }])
      await expect(load(env)).rejects.toThrow(/^AUDIT_ORIGIN is required in production/);
    await expect(load({ ...prod, SIGNING_KEY: realKey })).resolves.toMatchObject({
      audit: { origin: 'gov.example/audit' },
    });
  });

  it('stops a production boot without a real Ed25519 key, naming the variable', async () => {
    await expect(load(prod)).rejects.toThrow(/SIGNING_KEY is required/);
    await expect(load({ ...prod, SIGNING_KEY: 'dev' })).rejects.toThrow(/SIGNING_KEY is the development key/);
    await expect(load({ ...prod, SIGNING_KEY: 'bm90IGEga2V5' })).rejects.toThrow(
      /^SIGNING_KEY: expected a PKCS#8 Ed25519/,
    );
    await expect(load({ ...prod, SIGNING_KEY: realKey })).resolves.toMatchObject({ signingKeyPem: realKey });
  });

  it('derives the checkpoint origin from PUBLIC_BASE_URL unless AUDIT_ORIGIN is set, and validates it', async () => {
    expect(
      (await load({ NODE_ENV: 'test', PUBLIC_BASE_URL: 'https://api.gov.example' })).audit,
    ).toMatchObject({
      origin: 'api.gov.example/audit',
      checkpointMinutes: 5,
    });
    expect(
      (await load({ NODE_ENV: 'test', AUDIT_ORIGIN: 'gov.example/log', AUDIT_CHECKPOINT_MINUTES: '15' }))
        .audit,
    ).toMatchObject({
      origin: 'gov.example/log',
      checkpointMinutes: 15,
    });
    // Never an instance's own host and port: two instances of one log sign under one name.
    for (const [HOST, PORT] of [
      ['127.0.0.1', '3000'],
      ['10.0.0.7', '8081'],
    ])
      expect((await load({ NODE_ENV: 'development', HOST, PORT })).audit.origin).toBe('localhost/audit');
    await expect(load({ NODE_ENV: 'test', AUDIT_ORIGIN: 'has space' })).rejects.toThrow(/AUDIT_ORIGIN/);
    await expect(load({ NODE_ENV: 'test', AUDIT_ORIGIN: 'a+b' })).rejects.toThrow(/AUDIT_ORIGIN/);
    await expect(load({ NODE_ENV: 'test', AUDIT_CHECKPOINT_MINUTES: '0' })).rejects.toThrow(
      /AUDIT_CHECKPOINT_MINUTES/,
    );
  });
});
