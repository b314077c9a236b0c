// `npm run audit:verify`: the auditor's check of the whole log (audit-verifier.ts) against the
// checkpoints witnessed outside the database (witness/). scripts/audit-verify.ts runs it as a process;
// the tests call it directly.

import type { KeyObject } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '../../../config/config';
import type { Query } from './audit-tree';
import { verifyAuditLog } from './audit-verifier';
import { vkeyToPublicKey } from './checkpoint';
import { loadSigningKey } from '../../../config/keys/signing-key';
import { collectWitnessed, WitnessSources } from './witness/witnessed-checkpoints';

export class UsageError extends Error {}

export const AUDIT_VERIFY_USAGE =
  'usage: audit:verify [-- --vkey <vkey> … --witness-log <file> … --checkpoint <file> … --peer <url> …]';

interface Args {
  vkeys: string[];
  logs: string[];
  checkpointFiles: string[];
  peers: string[];
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { vkeys: [], logs: [], checkpointFiles: [], peers: [] };
  const lists: Record<string, string[]> = {
    '--vkey': args.vkeys,
    '--witness-log': args.logs,
    '--checkpoint': args.checkpointFiles,
    '--peer': args.peers,
  };
  for (let i = 0; i < argv.length; i++) {
    const list = lists[argv[i]];
    if (!list) throw new UsageError(`unknown argument ${argv[i]}; ${AUDIT_VERIFY_USAGE}`);
    const value = argv[++i];
    if (!value) throw new UsageError(`${argv[i - 1]} needs a value; ${AUDIT_VERIFY_USAGE}`);
    list.push(argv[i - 1] === '--peer' ? value.replace(/\/+$/, '') : value);
  }
  return args;
}

/**
 * Without --vkey (the operator, on a server with the configuration): the key, origin and witnesses
 * (AUDIT_WITNESS_FILE or DATA_DIR/audit/checkpoints.log, AUDIT_WITNESS_S3_*, AUDIT_WITNESS_PEERS)
 * come from the environment. With --vkey (an auditor elsewhere, holding nothing secret): the first
 * vkey names the log, and the witnesses are the ones given.
 */
function keysAndSources(
  args: Args,
  env: Record<string, string | undefined>,
): { keys: Map<string, KeyObject>; origin: string; sources: WitnessSources } {
  const keys = new Map<string, KeyObject>();
  const sources: WitnessSources = {
    logs: args.logs,
    s3: null,
    peers: args.peers,
    checkpointFiles: args.checkpointFiles,
  };
  if (args.vkeys.length) {
    for (const vkey of args.vkeys) {
      const parsed = vkeyToPublicKey(vkey);
      keys.set(parsed.name, parsed.publicKey);
    }
    return { keys, origin: vkeyToPublicKey(args.vkeys[0]).name, sources };
  }
  const config = loadConfig(env);
  const { origin, witness } = config.audit;
  keys.set(origin, loadSigningKey(config.signingKeyPem).publicKey);
  sources.logs = [witness.file, ...args.logs];
  sources.s3 = witness.s3;
  sources.peers = [...witness.peers, ...args.peers];
  return { keys, origin, sources };
}

/** Runs the check and writes its report; returns the exit code (0 intact, 1 not intact). */
export async function runAuditVerify(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: (line: string) => void,
): Promise<number> {
  const url = env.DATABASE_URL;
  if (!url) {
    throw new UsageError(
      'DATABASE_URL is not set: point it at the PostgreSQL database to check. The embedded development database ' +
        'cannot be checked this way: PGlite is a single session that the running server holds open, and ' +
        'opening its files from a second process could corrupt them.',
    );
  }
  const { keys, origin, sources } = keysAndSources(parseArgs(argv), env);
  const key = keys.get(origin)!;
  const outside = await collectWitnessed(sources, origin, key);
  const client = new Client({ connectionString: url, application_name: 'onewindow-audit-verify' });
  await client.connect();
  try {
    // One snapshot: appends committed while we read do not make heads and leaves disagree.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const query: Query = async <T>(sql: string, params?: unknown[]) =>
      (await client.query(sql, params)).rows as T[];
    const report = await verifyAuditLog(query, { keys, witnessed: outside.witnessed });
    await client.query('COMMIT');
    const problems = [...report.problems, ...outside.problems];
    const count = report.problemCount + outside.problems.length;
    for (const p of problems) out(p);
    if (report.problemCount > report.problems.length)
      out(`… and ${report.problemCount - report.problems.length} more`);
    const newest = outside.witnessed.reduce((n, w) => Math.max(n, w.checkpoint.size), 0);
    const summary =
      `${report.leaves} leaves, ${report.treeHeads} tree heads, ${outside.witnessed.length} witnessed ` +
      `checkpoint(s) (newest at size ${newest})`;
    out(
      count === 0
        ? `audit log intact: ${summary}`
        : `audit log NOT intact: ${count} problem(s) in ${summary}`,
    );
    return count === 0 ? 0 : 1;
  } finally {
    await client.end();
  }
}
