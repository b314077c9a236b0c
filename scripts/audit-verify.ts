/**
 * `npm run audit:verify [-- --vkey <vkey> … --witness-log <file> … --checkpoint <file> … --peer <url> …]`:
 * checks the whole audit log in DATABASE_URL — every leaf hash recomputed from its fields, sequence
 * numbers dense, the Merkle tree rebuilt, every signed tree head's root and signature — and that it
 * still contains every checkpoint witnessed outside the database (the checkpoint log, the S3 witness,
 * peer witnesses): a log truncated or rolled back behind a witnessed checkpoint, or rewritten after
 * one, fails naming it. Prints each problem found. Exit code 0 when intact, 1 when not, 2 when it
 * could not run. See runAuditVerify for where keys and witnesses come from.
 */
import 'reflect-metadata';
import { runAuditVerify } from '../src/modules/platform/audit/audit-verify.command';

runAuditVerify(process.argv.slice(2), process.env, (line) => process.stdout.write(`${line}\n`)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`audit:verify: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
