import { createHash, generateKeyPairSync } from 'node:crypto';

import {
  addNoteSignature,
  ed25519PublicKeyFromRaw,
  formatCheckpointBody,
  generateEd25519,
  noteKeyId,
  parseCheckpointBody,
  publicKeyToVkey,
  rawEd25519PublicKey,
  signCheckpoint,
  verifyCheckpoint,
  vkeyToPublicKey,
} from './checkpoint';
import { EMPTY_ROOT, leafHash, rootFromLeafHashes } from './merkle';

const ORIGIN = 'onewindow.example.gov/audit/v1';
const KEY_NAME = 'onewindow.example.gov/audit';
const ROOT = rootFromLeafHashes([leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))]);
const { privateKey, publicKey } = generateEd25519();

function signed(size = 2, root = ROOT): string {
  return signCheckpoint(formatCheckpointBody(ORIGIN, size, root), KEY_NAME, privateKey);
}

/** Replaces the first occurrence of `from` and insists it was there, so a test cannot silently tamper nothing. */
function replaceOnce(s: string, from: string, to: string): string {
  expect(s.includes(from)).toBe(true);
  return s.replace(from, to);
}

describe('checkpoint body', () => {
  it('formats origin, decimal size and base64 root, each newline-terminated', () => {
    expect(formatCheckpointBody(ORIGIN, 2, ROOT)).toBe(`${ORIGIN}\n2\n${ROOT.toString('base64')}\n`);
    expect(formatCheckpointBody(ORIGIN, 0, EMPTY_ROOT)).toBe(
      `${ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`,
    );
    expect(formatCheckpointBody(ORIGIN, 5, ROOT, ['ext one'])).toBe(
      `${ORIGIN}\n5\n${ROOT.toString('base64')}\next one\n`,
    );
  });

  it('rejects bodies that could not be parsed back unambiguously', () => {
    expect(() => formatCheckpointBody('', 1, ROOT)).toThrow(RangeError);
    expect(() => formatCheckpointBody('a\nb', 1, ROOT)).toThrow(RangeError);
    expect(() => formatCheckpointBody(ORIGIN, -1, ROOT)).toThrow(RangeError);
    expect(() => formatCheckpointBody(ORIGIN, 1.5, ROOT)).toThrow(RangeError);
    expect(() => formatCheckpointBody(ORIGIN, 1, ROOT.subarray(1))).toThrow(RangeError);
    expect(() => formatCheckpointBody(ORIGIN, 1, ROOT, [''])).toThrow(RangeError);
    expect(() => formatCheckpointBody('tab\there', 1, ROOT)).toThrow();
  });

  it('parses strictly', () => {
    const b64 = ROOT.toString('base64');
    expect(parseCheckpointBody(`${ORIGIN}\n7\n${b64}\n`)).toEqual({
      origin: ORIGIN,
      size: 7,
      root: ROOT,
      extensions: [],
    });
    expect(() => parseCheckpointBody(`${ORIGIN}\n07\n${b64}\n`)).toThrow(/canonical decimal/);
    expect(() => parseCheckpointBody(`${ORIGIN}\n+7\n${b64}\n`)).toThrow(/canonical decimal/);
    expect(() => parseCheckpointBody(`${ORIGIN}\n99999999999999999999\n${b64}\n`)).toThrow(/too large/);
    expect(() => parseCheckpointBody(`${ORIGIN}\n7\n${b64.slice(0, -1)}\n`)).toThrow(/base64/);
    expect(() => parseCheckpointBody(`${ORIGIN}\n7\n${EMPTY_ROOT.subarray(1).toString('base64')}\n`)).toThrow(
      /base64/,
    );
    expect(() => parseCheckpointBody(`${ORIGIN}\n7\n${b64}`)).toThrow(/newline/);
    expect(() => parseCheckpointBody(`${ORIGIN}\n7\n`)).toThrow();
  });
});

describe('keys', () => {
  it('derives the key ID as SHA-256(name || 0x0a || 0x01 || pubkey)[:4]', () => {
    const raw = rawEd25519PublicKey(publicKey);
    expect(raw).toHaveLength(32);
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from(KEY_NAME), Buffer.from([0x0a, 0x01]), raw]))
      .digest()
      .readUInt32BE(0);
    expect(noteKeyId(KEY_NAME, publicKey)).toBe(expected);
    expect(noteKeyId(KEY_NAME, privateKey)).toBe(expected);
  });

  it('round-trips raw keys and vkeys', () => {
    expect(rawEd25519PublicKey(ed25519PublicKeyFromRaw(rawEd25519PublicKey(publicKey)))).toEqual(
      rawEd25519PublicKey(publicKey),
    );
    const vkey = publicKeyToVkey(KEY_NAME, publicKey);
    const id = noteKeyId(KEY_NAME, publicKey).toString(16).padStart(8, '0');
    const b64 = Buffer.concat([Buffer.from([1]), rawEd25519PublicKey(publicKey)]).toString('base64');
    expect(vkey).toBe(`${KEY_NAME}+${id}+${b64}`);
    const parsed = vkeyToPublicKey(vkey);
    expect(parsed.name).toBe(KEY_NAME);
    expect(parsed.keyId).toBe(noteKeyId(KEY_NAME, publicKey));
    expect(rawEd25519PublicKey(parsed.publicKey)).toEqual(rawEd25519PublicKey(publicKey));
  });

  it('rejects malformed vkeys and key names', () => {
    const vkey = publicKeyToVkey(KEY_NAME, publicKey);
    const [name, id, key] = [
      KEY_NAME,
      vkey.split('+')[1],
      vkey.slice(vkey.indexOf('+', KEY_NAME.length + 1) + 1),
    ];
    const wrongId = ((parseInt(id, 16) ^ 1) >>> 0).toString(16).padStart(8, '0');
    expect(() => vkeyToPublicKey(`${name}+${wrongId}+${key}`)).toThrow(/does not match/);
    expect(() => vkeyToPublicKey(`other+${id}+${key}`)).toThrow(/does not match/);
    expect(() => vkeyToPublicKey(`${name}+${id.toUpperCase()}+${key}`)).toThrow();
    expect(() => vkeyToPublicKey(`${name}+${id}`)).toThrow();
    expect(() =>
      vkeyToPublicKey(
        `${name}+${id}+${Buffer.concat([Buffer.from([4]), rawEd25519PublicKey(publicKey)]).toString('base64')}`,
      ),
    ).toThrow();
    expect(() => publicKeyToVkey('has space', publicKey)).toThrow(RangeError);
    expect(() => publicKeyToVkey('has+plus', publicKey)).toThrow(RangeError);
    expect(() => publicKeyToVkey('', publicKey)).toThrow(RangeError);
  });

  it('refuses non-Ed25519 keys', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => signCheckpoint(formatCheckpointBody(ORIGIN, 1, ROOT), KEY_NAME, ec.privateKey)).toThrow(
      TypeError,
    );
    expect(() => verifyCheckpoint(signed(), KEY_NAME, ec.publicKey)).toThrow(TypeError);
    expect(() => signCheckpoint(formatCheckpointBody(ORIGIN, 1, ROOT), KEY_NAME, publicKey)).toThrow(
      TypeError,
    );
  });
});

describe('signed checkpoints', () => {
  it('produces body, blank line and one em-dash signature line of key ID plus 64-byte signature', () => {
    const note = signed();
    const body = formatCheckpointBody(ORIGIN, 2, ROOT);
    expect(note.startsWith(`${body}\n\u2014 ${KEY_NAME} `)).toBe(true);
    expect(note.endsWith('\n')).toBe(true);
    const blob = Buffer.from(note.slice(note.lastIndexOf(' ') + 1, -1), 'base64');
    expect(blob).toHaveLength(68);
    expect(blob.readUInt32BE(0)).toBe(noteKeyId(KEY_NAME, publicKey));
  });

  it('verifies and parses a genuine checkpoint', () => {
    expect(verifyCheckpoint(signed(), KEY_NAME, publicKey)).toEqual({
      origin: ORIGIN,
      size: 2,
      root: ROOT,
      extensions: [],
    });
    expect(verifyCheckpoint(signed(), KEY_NAME, publicKey, { origin: ORIGIN }).size).toBe(2);
  });

  it('throws when the body is tampered with', () => {
    const note = signed();
    expect(() =>
      verifyCheckpoint(replaceOnce(note, `${ORIGIN}\n2\n`, `${ORIGIN}\n3\n`), KEY_NAME, publicKey),
    ).toThrow(/invalid signature/);
    const otherRoot = EMPTY_ROOT.toString('base64');
    expect(() =>
      verifyCheckpoint(replaceOnce(note, ROOT.toString('base64'), otherRoot), KEY_NAME, publicKey),
    ).toThrow(/invalid signature/);
    expect(() =>
      verifyCheckpoint(replaceOnce(note, 'onewindow.', 'twowindow.'), KEY_NAME, publicKey),
    ).toThrow(/invalid signature/);
    // An extension line smuggled in after signing.
    expect(() => verifyCheckpoint(replaceOnce(note, '=\n\n', '=\nextra\n\n'), KEY_NAME, publicKey)).toThrow(
      /invalid signature/,
    );
  });

  it('throws when the signature is tampered with', () => {
    const note = signed();
    const sigStart = note.lastIndexOf(' ') + 1;
    const blob = Buffer.from(note.slice(sigStart, -1), 'base64');
    for (const at of [10, 40, 67]) {
      const bad = Buffer.from(blob);
      bad[at] ^= 0x01;
      expect(() =>
        verifyCheckpoint(note.slice(0, sigStart) + bad.toString('base64') + '\n', KEY_NAME, publicKey),
      ).toThrow(/invalid signature/);
    }
    // Truncated signature with the right key ID.
    const short = blob.subarray(0, 60).toString('base64');
    expect(() => verifyCheckpoint(note.slice(0, sigStart) + short + '\n', KEY_NAME, publicKey)).toThrow(
      /invalid signature/,
    );
    // A flipped key-ID byte means the line no longer claims to be ours, so nothing verifies.
    const badId = Buffer.from(blob);
    badId[0] ^= 0x01;
    expect(() =>
      verifyCheckpoint(note.slice(0, sigStart) + badId.toString('base64') + '\n', KEY_NAME, publicKey),
    ).toThrow(/no signature by/);
  });

  it('throws for the wrong key, the wrong name or the wrong origin', () => {
    const other = generateEd25519();
    expect(() => verifyCheckpoint(signed(), KEY_NAME, other.publicKey)).toThrow(/no signature by/);
    expect(() => verifyCheckpoint(signed(), 'someone.else', publicKey)).toThrow(/no signature by/);
    // Same key under another name has another key ID and must not be accepted.
    const renamed = signCheckpoint(formatCheckpointBody(ORIGIN, 2, ROOT), 'impostor', privateKey);
    expect(() =>
      verifyCheckpoint(renamed.replace('\u2014 impostor ', `\u2014 ${KEY_NAME} `), KEY_NAME, publicKey),
    ).toThrow(/no signature by/);
    expect(() => verifyCheckpoint(signed(), KEY_NAME, publicKey, { origin: 'other.log' })).toThrow(/origin/);
  });

  it('throws on malformed notes', () => {
    const note = signed();
    const body = formatCheckpointBody(ORIGIN, 2, ROOT);
    expect(() => verifyCheckpoint(body, KEY_NAME, publicKey)).toThrow(/blank line/);
    expect(() => verifyCheckpoint(note.slice(0, -1), KEY_NAME, publicKey)).toThrow(/newline/);
    expect(() => verifyCheckpoint(note.replace('\u2014 ', '- '), KEY_NAME, publicKey)).toThrow(
      /bad signature line/,
    );
    expect(() => verifyCheckpoint(`${note}garbage\n`, KEY_NAME, publicKey)).toThrow(/bad signature line/);
    expect(() => verifyCheckpoint(note.replace(/ (\S+)\n$/, ' $1==\n'), KEY_NAME, publicKey)).toThrow(
      /bad signature line/,
    );
    expect(() => verifyCheckpoint(`${body}\n`, KEY_NAME, publicKey)).toThrow();
  });

  it('accepts extra signatures from other keys, such as a peer agency, and checks all of ours', () => {
    const peer = generateEd25519();
    const cosigned = addNoteSignature(signed(), 'peer.agency.gov', peer.privateKey);
    expect(cosigned.match(/\u2014 /g)).toHaveLength(2);
    expect(verifyCheckpoint(cosigned, KEY_NAME, publicKey).size).toBe(2);
    expect(verifyCheckpoint(cosigned, 'peer.agency.gov', peer.publicKey).size).toBe(2);
    // A forged second line under our name and key ID must fail even though a valid one is present.
    const ourLine = cosigned.split('\n').find((l) => l.startsWith(`\u2014 ${KEY_NAME} `)) as string;
    const blob = Buffer.from(ourLine.split(' ')[2], 'base64');
    blob[20] ^= 0xff;
    const forged = `${cosigned}\u2014 ${KEY_NAME} ${blob.toString('base64')}\n`;
    expect(() => verifyCheckpoint(forged, KEY_NAME, publicKey)).toThrow(/invalid signature/);
  });

  it('verifies the golang.org/x/mod/sumdb/note example signature (interoperability)', () => {
    const { publicKey: peter } = vkeyToPublicKey(
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    );
    const text =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const sig =
      '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
    // Not a checkpoint (only two lines), so signature verification passes and body parsing then fails.
    expect(() => verifyCheckpoint(`${text}\n${sig}`, 'PeterNeumann', peter)).toThrow(/origin, size and root/);
    const tampered = text.replace('answer', 'Answer');
    expect(() => verifyCheckpoint(`${tampered}\n${sig}`, 'PeterNeumann', peter)).toThrow(/invalid signature/);
  });
});
