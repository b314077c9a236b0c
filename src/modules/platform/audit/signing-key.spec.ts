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
