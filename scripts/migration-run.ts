/** `npm run migration:run`: applies pending migrations to DATABASE_URL (or the embedded database). */
import 'reflect-metadata';
import { loadConfig } from '../src/config/config';
import { prepareDatabase } from '../src/database/prepare';

async function main(): Promise<void> {
  const db = await prepareDatabase(loadConfig());
  process.stdout.write('migrations: up to date\n');
  await db.embedded?.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
