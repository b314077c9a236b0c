import { Client } from 'pg';
import type { EmbeddedPostgres } from '../../src/database/embedded';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  await (g.__OW_EMBEDDED__ as EmbeddedPostgres | undefined)?.close();
  const drop = g.__OW_DROP__ as { external: string; name: string } | undefined;
  if (drop) {
    const admin = new Client({ connectionString: drop.external });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${drop.name} WITH (FORCE)`);
    await admin.end();
  }
}
