// C2SP tlog-checkpoint bodies wrapped in C2SP signed-note envelopes, signed with Ed25519 (node:crypto only).
// Byte-compatible with golang.org/x/mod/sumdb/note, so that auditors and witnesses using the Go tooling can
// check our tree heads.
//
//   <origin>\n<size>\n<base64 root>\n[extension lines\n]   <- note text (what gets signed)
//   \n                                                       <- blank line separating text from signatures
//   — <key name> <base64(4-byte key id || 64-byte sig)>\n    <- one line per signer

import { generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';

import { HASH_SIZE } from './merkle';
import {
  assertEd25519,
  decodeBase64Strict,
  isValidKeyName,
  isWellFormedUtf16,
  noteKeyId,
} from '../../../config/keys/note-keys';

export {
  ed25519PublicKeyFromRaw,
  noteKeyId,
  publicKeyToVkey,
  rawEd25519PublicKey,
  vkeyToPublicKey,
} from '../../../config/keys/note-keys';
export type { ParsedVkey } from '../../../config/keys/note-keys';

/** Signed-note algorithm identifier for Ed25519. */
const ED25519_SIG_SIZE = 64;
const KEY_ID_SIZE = 4;
/** U+2014 EM DASH + space starts every signature line. */
const SIG_PREFIX = '\u2014 ';
/** Same caps as the Go note package, so a hostile note cannot make us do unbounded work. */
const MAX_NOTE_BYTES = 1_000_000;
const MAX_SIGNATURES = 100;

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  /** Optional lines after the root; C2SP leaves their meaning to the log, so they are passed through. */
  extensions: string[];
}

export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface VerifyCheckpointOptions {
  /** Reject checkpoints from any other log: a valid signature over the wrong origin is still the wrong log. */
  origin?: string;
}

export function generateEd25519(): Ed25519KeyPair {
  return generateKeyPairSync('ed25519');
}

/** Checkpoint note text: `${origin}\n${size}\n${base64(root)}\n`, plus optional extension lines. */
export function formatCheckpointBody(
  origin: string,
  size: number,
  rootHash: Buffer,
  extensions: readonly string[] = [],
): string {
  if (origin.length === 0 || origin.includes('\n'))
    throw new RangeError('origin must be a non-empty single line');
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`size must be a safe integer >= 0, got ${size}`);
  if (rootHash.length !== HASH_SIZE) throw new RangeError(`root hash must be ${HASH_SIZE} bytes`);
  for (const ext of extensions) {
    // An empty extension line would be read back as the text/signature separator.
    if (ext.length === 0 || ext.includes('\n'))
      throw new RangeError('extension lines must be non-empty single lines');
  }
  const text = [origin, String(size), rootHash.toString('base64'), ...extensions].join('\n') + '\n';
  assertNoteText(text);
  return text;
}

/** Signs a note text (normally a checkpoint body) and returns the full note with one signature line. */
export function signCheckpoint(body: string, keyName: string, privateKey: KeyObject): string {
  assertNoteText(body);
  return `${body}\n${signatureLine(body, keyName, privateKey)}`;
}

/**
 * Appends another Ed25519 signed-note signature (e.g. a peer agency) over the same text. This is a plain
 * signed-note signature (alg 0x01), not a C2SP tlog-cosignature/v1 (alg 0x04, timestamped).
 */
export function addNoteSignature(noteText: string, keyName: string, privateKey: KeyObject): string {
  const { text } = splitNote(noteText);
  return `${noteText}${signatureLine(text, keyName, privateKey)}`;
}

/**
 * Verifies the signature by `keyName`/`publicKey` and parses the checkpoint. Signatures from other keys
 * are ignored (witnesses may add theirs), but a line claiming our name and key ID must verify.
 * Throws on any failure; returns only checkpoints that are authentic.
 */
export function verifyCheckpoint(
  noteText: string,
  keyName: string,
  publicKey: KeyObject,
  options: VerifyCheckpointOptions = {},
): Checkpoint {
  assertEd25519(publicKey, 'public');
  const wantId = noteKeyId(keyName, publicKey);
  const { text, signatures } = splitNote(noteText);
  let verified = false;
  for (const s of signatures) {
    if (s.name !== keyName || s.keyId !== wantId) continue;
    if (
      s.signature.length !== ED25519_SIG_SIZE ||
      !verify(null, Buffer.from(text, 'utf8'), publicKey, s.signature)
    ) {
      throw new Error(`invalid signature by ${keyName}`);
    }
    verified = true;
  }
  if (!verified) throw new Error(`note has no signature by ${keyName}`);
  const checkpoint = parseCheckpointBody(text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new Error(
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(options.origin)}`,
    );
  }
  return checkpoint;
}

/** Parses (without verifying) a checkpoint note text. Strict: canonical decimal size and canonical base64. */
export function parseCheckpointBody(text: string): Checkpoint {
  assertNoteText(text);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('checkpoint needs origin, size and root lines');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin.length === 0) throw new Error('checkpoint origin is empty');
  // No leading zeros or signs, so every size has exactly one encoding (and one signature).
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) throw new Error('checkpoint size is not a canonical decimal');
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw new Error('checkpoint size is too large');
  const root = decodeBase64Strict(rootLine);
  if (!root || root.length !== HASH_SIZE)
    throw new Error(`checkpoint root is not base64 of ${HASH_SIZE} bytes`);
  if (extensions.some((e) => e.length === 0)) throw new Error('checkpoint has an empty extension line');
  return { origin, size, root, extensions };
}

interface NoteSignature {
  name: string;
  keyId: number;
  signature: Buffer;
}

function signatureLine(text: string, keyName: string, privateKey: KeyObject): string {
  assertEd25519(privateKey, 'private');
  const keyId = Buffer.alloc(KEY_ID_SIZE);
  keyId.writeUInt32BE(noteKeyId(keyName, privateKey));
  const sig = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${SIG_PREFIX}${keyName} ${Buffer.concat([keyId, sig]).toString('base64')}\n`;
}

/** Splits at the last blank line; every line after it must be a well-formed signature line. */
function splitNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (Buffer.byteLength(note, 'utf8') > MAX_NOTE_BYTES) throw new Error('note too large');
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0) throw new Error('malformed note: no blank line before signatures');
  const text = note.slice(0, sep + 1);
  const sigBlock = note.slice(sep + 2);
  assertNoteText(text);
  if (!sigBlock.endsWith('\n')) throw new Error('malformed note: signature block must end with a newline');
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new Error('malformed note: too many signatures');
  const signatures = lines.map((line) => {
    if (!line.startsWith(SIG_PREFIX)) throw new Error('malformed note: bad signature line');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.lastIndexOf(' ');
    const name = space < 0 ? '' : rest.slice(0, space);
    const blob = space < 0 ? null : decodeBase64Strict(rest.slice(space + 1));
    if (!isValidKeyName(name) || !blob || blob.length <= KEY_ID_SIZE) {
      throw new Error('malformed note: bad signature line');
    }
    return { name, keyId: blob.readUInt32BE(0), signature: blob.subarray(KEY_ID_SIZE) };
  });
  return { text, signatures };
}

/** Signed-note text rules: non-empty, ends in a newline, valid UTF-8, no control characters except newline. */
function assertNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new Error('note text must end with a newline');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text) || !isWellFormedUtf16(text)) {
    throw new Error('note text has control characters or invalid UTF-8');
  }
}
