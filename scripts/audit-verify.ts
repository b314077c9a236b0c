/**
 * `npm run audit:verify [-- --vkey <vkey> …]`: checks the whole audit log in DATABASE_URL — every leaf
 * hash recomputed from its fields, sequence numbers dense, the Merkle tree rebuilt, every signed tree
 * head's root and signature — and prints each problem found. Exit code 0 when intact, 1 when not,
 * 2 when it could not run.
 *
 * Keys: each --vkey (as served by GET /v1/audit/public-key; an auditor needs nothing secret), or else
 * the public half of this instance's SIGNING_KEY under its AUDIT_ORIGIN.
 */
import 'reflect-metadata';
import type { KeyObject } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '../src/config/config';
import type { Query } from '../src/modules/platform/audit/audit-tree';
import { verifyAuditLog } from '../src/modules/platform/audit/audit-verifier';
import { vkeyToPublicKey } from '../src/modules/platform/audit/checkpoint';
import { loadSigningKey } from '../src/modules/platform/audit/signing-key';

class UsageError extends Error {}

function keysFrom(argv: string[]): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--vkey')
      throw new UsageError(`unknown argument ${argv[i]}; usage: audit:verify [-- --vkey <vkey> …]`);
    const vkey = argv[++i];
    if (!vkey) throw new UsageError('--vkey needs a value (GET /v1/audit/public-key → vkey)');
    const parsed = vkeyToPublicKey(vkey);
    keys.set(parsed.name, parsed.publicKey);
  }
  if (!keys.size) {
    const config = loadConfig();
    keys.set(config.audit.origin, loadSigningKey(config.signingKeyPem).publicKey);
  }
  return keys;
}

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new UsageError(
      'DATABASE_URL is not set: point it at the PostgreSQL database to check. The embedded development database ' +
        'cannot be checked this way: PGlite is a single session that the running server holds open, and ' +
        'opening its files from a second process could corrupt them.',
    );
  }
  const keys = keysFrom(process.argv.slice(2));
  const client = new Client({ connectionString: url, application_name: 'onewindow-audit-verify' });
  await client.connect();
  try {
    // One snapshot: appends committed while we read do not make heads and leaves disagree.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const query: Query = async <T>(sql: string, params?: unknown[]) =>
      (await client.query(sql, params)).rows as T[];
    const report = await verifyAuditLog(query, { keys });
    await client.query('COMMIT');
    for (const p of report.problems) process.stdout.write(`${p}\n`);
    if (report.problemCount > report.problems.length) {
      process.stdout.write(`… and ${report.problemCount - report.problems.length} more\n`);
    }
    const summary = `${report.leaves} leaves, ${report.treeHeads} tree heads`;
    process.stdout.write(
      report.ok
        ? `audit log intact: ${summary}\n`
        : `audit log NOT intact: ${report.problemCount} problem(s) in ${summary}\n`,
    );
    return report.ok ? 0 : 1;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`audit:verify: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
