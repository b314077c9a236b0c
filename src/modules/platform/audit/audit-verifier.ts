// The auditor's check of the whole log, used by `npm run audit:verify` and the e2e tests. It trusts
// nothing stored except what the public key signed: every leaf hash is recomputed from its fields, the
// tree is rebuilt from the leaves and every tree head's root and signature are checked. Run it in one
// REPEATABLE READ transaction so leaves and heads come from the same snapshot.
//
// What the database alone cannot show (every leaf after some tree head deleted together with the
// later heads, or such a rollback regrown into a different history) is caught by `witnessed`:
// checkpoints copied outside the database (witness/), each of which the log must still contain.

import type { KeyObject } from 'node:crypto';
import { AuditLeafFields, auditLeafHash } from './audit-leaf-hash';
import type { Query } from './audit-tree';
import { Checkpoint, verifyCheckpoint } from './checkpoint';
import { CompactRange, EMPTY_ROOT, HASH_SIZE } from './merkle';

export interface VerifyAuditOptions {
  /** signing keys by key name; a head signed by a name not listed here is reported */
  keys: ReadonlyMap<string, KeyObject>;
  /** leaves read per query */
  batchSize?: number;
  /** stop collecting after this many problems (the count goes on) */
  maxProblems?: number;
  /** checkpoints witnessed outside the database (signatures already verified) and where each was found */
  witnessed?: readonly { checkpoint: Checkpoint; source: string }[];
}

export interface AuditVerifyReport {
  ok: boolean;
  leaves: number;
  treeHeads: number;
  /** human-readable, in log order: "leaf 41: hash mismatch (field changed)", "leaf 17 missing", … */
  problems: string[];
  problemCount: number;
}

/** An audit_leaf row as the database returns it (snake_case columns). */
export interface AuditLeafRow {
  seq: string;
  at: Date;
  actor_kind: string;
  actor_id: string | null;
  on_behalf_of: string | null;
  organisation_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  subject_id: string | null;
  purpose: string | null;
  legal_basis: string | null;
  channel: string | null;
  request_id: string | null;
  hidden_until: Date | null;
  leaf_hash: Buffer;
}

interface LeafRow extends AuditLeafRow {
  at_sub_ms: boolean;
  hidden_sub_ms: boolean | null;
}

interface HeadRow {
  size: string;
  root_hash: Buffer;
  note: string;
  key_name: string;
}

// Sub-millisecond parts cannot come from append() (JS dates hold milliseconds) and would be lost when
// read into a Date, hiding an edit; they are selected separately and count as a changed field.
const LEAF_SQL = `
  SELECT seq::text AS seq, at, date_trunc('milliseconds', at) <> at AS at_sub_ms, actor_kind, actor_id,
         on_behalf_of, organisation_id::text AS organisation_id, action, resource_type, resource_id,
         subject_id::text AS subject_id, purpose, legal_basis, channel, request_id, hidden_until,
         date_trunc('milliseconds', hidden_until) <> hidden_until AS hidden_sub_ms, leaf_hash
  FROM audit_leaf l WHERE l.seq > $1 ORDER BY l.seq LIMIT $2`;

export async function verifyAuditLog(q: Query, options: VerifyAuditOptions): Promise<AuditVerifyReport> {
  const batchSize = options.batchSize ?? 5000;
  const maxProblems = options.maxProblems ?? 1000;
  // Positioned so the report reads in log order: a leaf at its seq, a head just after its last leaf.
  const found: { pos: number; text: string }[] = [];
  let problemCount = 0;
  const report = (pos: number, text: string): void => {
    problemCount++;
    if (found.length < maxProblems) found.push({ pos, text });
  };

  const heads = await q<HeadRow>(
    'SELECT size::text AS size, root_hash, note, key_name FROM audit_tree_head h ORDER BY h.size',
  );
  let nextHead = 0;
  // Two trees: over the stored leaf hashes and over hashes recomputed from the fields. Whichever
  // matches a signed root tells whether a mismatching leaf had its fields or its leaf_hash changed.
  const stored = new CompactRange();
  const recomputed = new CompactRange();
  // Witnessed checkpoints by size: the log's tree at that size must have the witnessed root.
  const witnessed = new Map<number, { checkpoint: Checkpoint; source: string }[]>();
  for (const w of options.witnessed ?? []) {
    const list = witnessed.get(w.checkpoint.size) ?? [];
    witnessed.set(w.checkpoint.size, [...list, w]);
  }
  const checkWitnessed = (): void => {
    for (const w of witnessed.get(stored.size) ?? []) {
      // Either tree matching is enough here: a changed leaf is reported on its own, against the heads.
      if (stored.root().equals(w.checkpoint.root) || recomputed.root().equals(w.checkpoint.root)) continue;
      report(
        stored.size - 0.5,
        `forked: the log's first ${stored.size} leaves do not match the checkpoint witnessed in ${w.source} ` +
          '(the log was rolled back and rewritten)',
      );
    }
  };
  let pending: number[] = [];
  let expected = 0;
  let leaves = 0;

  const checkHead = (h: HeadRow): void => {
    const size = Number(h.size);
    const at = (text: string): void => report(size - 0.5, text);
    const signedRoot = checkSignature(h, options.keys, at);
    if (size > stored.size) {
      at(`tree head size ${size}: covers ${size} leaves but the log has only ${stored.size}`);
      return;
    }
    const storedRoot = stored.root();
    const recomputedRoot = recomputed.root();
    const root = signedRoot ?? h.root_hash;
    const storedOk = storedRoot.equals(root);
    const recomputedOk = recomputedRoot.equals(root);
    for (const seq of pending) {
      if (storedOk) report(seq, `leaf ${seq}: hash mismatch (field changed)`);
      else if (recomputedOk) report(seq, `leaf ${seq}: hash mismatch (leaf_hash changed, fields intact)`);
      else report(seq, `leaf ${seq}: hash mismatch (fields and leaf_hash do not match the signed tree)`);
    }
    pending = [];
    if (!storedOk && !recomputedOk) at(`tree head size ${size}: root mismatch`);
    else if (signedRoot && !h.root_hash.equals(signedRoot))
      at(`tree head size ${size}: root mismatch (stored root differs from the signed checkpoint)`);
  };

  // Heads of size 0 are checked against the empty tree before any leaf is read.
  const flushHeads = (): void => {
    checkWitnessed();
    while (nextHead < heads.length && Number(heads[nextHead].size) === stored.size)
      checkHead(heads[nextHead++]);
  };
  flushHeads();

  for (let after = -1; ;) {
    const rows = await q<LeafRow>(LEAF_SQL, [after, batchSize]);
    if (!rows.length) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq > expected)
        report(
          expected,
          seq === expected + 1 ? `leaf ${expected} missing` : `leaves ${expected}–${seq - 1} missing`,
        );
      expected = seq + 1;
      leaves++;
      const fieldsHash = hashOf(r);
      const storedHash = r.leaf_hash?.length === HASH_SIZE ? r.leaf_hash : null;
      if (!storedHash) report(seq, `leaf ${seq}: malformed leaf_hash`);
      if (!fieldsHash || !storedHash || !fieldsHash.equals(storedHash)) pending.push(seq);
      // Without a usable stored hash, the recomputed one keeps the tree shape so later heads still check.
      stored.append(storedHash ?? fieldsHash ?? EMPTY_ROOT);
      recomputed.append(fieldsHash ?? EMPTY_ROOT);
      flushHeads();
    }
    after = Number(rows[rows.length - 1].seq);
  }
  // Leaves deleted from the end leave no later row to show the gap; the signed heads still count them.
  const signedSize = heads.length ? Number(heads[heads.length - 1].size) : 0;
  if (signedSize > expected) {
    report(
      expected,
      signedSize === expected + 1
        ? `leaf ${expected} missing`
        : `leaves ${expected}–${signedSize - 1} missing`,
    );
  }
  for (const seq of pending) report(seq, `leaf ${seq}: hash mismatch (not yet covered by a tree head)`);
  reportMissingWitnessed(witnessed, expected, signedSize, report);
  while (nextHead < heads.length) checkHead(heads[nextHead++]);
  const problems = found.sort((a, b) => a.pos - b.pos).map((p) => p.text);
  return { ok: problemCount === 0, leaves, treeHeads: heads.length, problems, problemCount };
}

/**
 * Witnessed checkpoints larger than the log: leaves the outside world saw are gone. When the log ends
 * exactly at its newest remaining tree head, it was set back to that older checkpoint; otherwise
 * leaves were cut off after it.
 */
function reportMissingWitnessed(
  witnessed: Map<number, { checkpoint: Checkpoint; source: string }[]>,
  leaves: number,
  signedSize: number,
  report: (pos: number, text: string) => void,
): void {
  const beyond = [...witnessed.values()].flat().filter((w) => w.checkpoint.size > leaves);
  if (!beyond.length) return;
  const newest = beyond.reduce((a, b) => (b.checkpoint.size > a.checkpoint.size ? b : a));
  const size = newest.checkpoint.size;
  const heads = signedSize > 0 ? `its newest tree head is at size ${signedSize}` : 'it has no tree head';
  report(
    leaves,
    leaves === signedSize
      ? `rolled back: the checkpoint at size ${size} witnessed in ${newest.source} is newer than the log, ` +
          `which ends at ${leaves} leaves (${heads}); leaves ${leaves}–${size - 1} and their tree heads were removed`
      : `truncated: the checkpoint at size ${size} witnessed in ${newest.source} covers ${size} leaves, ` +
          `but the log holds only ${leaves} (${heads}); leaves ${leaves}–${size - 1} were deleted`,
  );
}

/** The hashed fields of a stored leaf row, as append() hashed them. */
export function leafFieldsOf(r: AuditLeafRow): AuditLeafFields {
  return {
    seq: Number(r.seq),
    at: r.at,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    onBehalfOf: r.on_behalf_of,
    organisationId: r.organisation_id,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    subjectId: r.subject_id,
    purpose: r.purpose,
    legalBasis: r.legal_basis,
    channel: r.channel,
    requestId: r.request_id,
    hiddenUntil: r.hidden_until,
  };
}

/** The leaf hash its fields give, or null when a stored value cannot have been written by append(). */
function hashOf(r: LeafRow): Buffer | null {
  if (r.at_sub_ms || r.hidden_sub_ms) return null;
  try {
    return auditLeafHash(leafFieldsOf(r));
  } catch {
    return null;
  }
}

/** Verifies the note and that it states the row's size; returns the signed root, or null if untrusted. */
function checkSignature(
  h: HeadRow,
  keys: ReadonlyMap<string, KeyObject>,
  report: (p: string) => void,
): Buffer | null {
  const size = Number(h.size);
  const key = keys.get(h.key_name);
  if (!key) {
    report(`tree head size ${size}: signed by unknown key ${JSON.stringify(h.key_name)}`);
    return null;
  }
  try {
    const cp = verifyCheckpoint(h.note, h.key_name, key);
    if (cp.size !== size) {
      report(`tree head size ${size}: the signed checkpoint is for size ${cp.size}`);
      return null;
    }
    return cp.root;
  } catch (e) {
    report(`tree head size ${size}: bad signature (${e instanceof Error ? e.message : String(e)})`);
    return null;
  }
}
