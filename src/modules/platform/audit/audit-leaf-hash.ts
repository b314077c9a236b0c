// The bytes an audit leaf commits to, shared by the sequencer (AuditService.append) and the auditor
// (audit-verifier.ts), so that both hash exactly the same thing. Pure: node:crypto via merkle.ts only.

import { leafHash } from './merkle';

/** Every hashed field of an audit leaf: all columns of audit_leaf except leaf_hash. */
export interface AuditLeafFields {
  seq: number;
  at: Date;
  actorKind: string;
  actorId: string | null;
  onBehalfOf: string | null;
  organisationId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  subjectId: string | null;
  purpose: string | null;
  legalBasis: string | null;
  channel: string | null;
  requestId: string | null;
  hiddenUntil: Date | null;
}

type CanonicalValue = string | number | null;

/**
 * RFC 8785 (JCS) for the flat objects leaves are: keys sorted by UTF-16 code units, no whitespace,
 * strings and numbers serialised as ECMAScript JSON.stringify does (which is what JCS specifies).
 * Only strings, safe integers and null are accepted, so there is no float formatting to disagree on.
 */
export function canonicalJson(value: Record<string, CanonicalValue>): string {
  const keys = Object.keys(value).sort();
  const parts = keys.map((k) => {
    const v = value[k];
    if (v === null || typeof v === 'string') return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return `${JSON.stringify(k)}:${String(v)}`;
    throw new TypeError(`canonical JSON accepts strings, safe integers and null; ${k} is ${typeof v}`);
  });
  return `{${parts.join(',')}}`;
}

function isoOrNull(d: Date | null, name: string): string | null {
  if (d === null) return null;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`${name} is not a valid date`);
  // Millisecond precision: what a JS Date holds, and what the column then holds exactly.
  return d.toISOString();
}

/** The leaf's hashed object: timestamps as ISO 8601 UTC with milliseconds, everything else as stored. */
export function leafObject(f: AuditLeafFields): Record<string, CanonicalValue> {
  return {
    seq: f.seq,
    at: isoOrNull(f.at, 'at'),
    actorKind: f.actorKind,
    actorId: f.actorId,
    onBehalfOf: f.onBehalfOf,
    organisationId: f.organisationId,
    action: f.action,
    resourceType: f.resourceType,
    resourceId: f.resourceId,
    subjectId: f.subjectId,
    purpose: f.purpose,
    legalBasis: f.legalBasis,
    channel: f.channel,
    requestId: f.requestId,
    hiddenUntil: isoOrNull(f.hiddenUntil, 'hiddenUntil'),
  };
}

/** UTF-8 of the canonical JSON: the RFC 6962 leaf input. */
export function leafBytes(f: AuditLeafFields): Buffer {
  return Buffer.from(canonicalJson(leafObject(f)), 'utf8');
}

/** SHA-256(0x00 || canonical JSON): the Merkle leaf hash stored in audit_leaf.leaf_hash. */
export function auditLeafHash(f: AuditLeafFields): Buffer {
  return leafHash(leafBytes(f));
}
