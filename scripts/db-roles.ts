/**
 * `npm run db:roles -- --database onewindow --owner onewindow_owner --runtime onewindow_app`: prints the
 * production grants (src/database/db-roles.ts) for psql. Run the output as a superuser connected to the
 * database, after `npm run migration:run` has run as the owner, and again after every upgrade.
 */
import { dbRolesSql } from '../src/database/db-roles';

const USAGE = 'usage: db:roles -- --database <name> --owner <role> --runtime <role>';

function main(argv: string[]): string {
  const names: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!['--database', '--owner', '--runtime'].includes(flag) || !argv[i + 1])
      throw new Error(`unexpected ${flag ?? 'end of arguments'}; ${USAGE}`);
    names[flag.slice(2)] = argv[i + 1];
  }
  if (!names.database || !names.owner || !names.runtime) throw new Error(USAGE);
  return dbRolesSql({ database: names.database, owner: names.owner, runtime: names.runtime });
}

try {
  process.stdout.write(main(process.argv.slice(2)));
} catch (e) {
  process.stderr.write(`db:roles: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
