/**
 * `npm run migration:generate -- Name` writes migrations/<timestamp>-<Name>.ts from the difference
 * between the entities and a database migrated to the latest migration (embedded PGlite unless
 * DATABASE_URL is set); the data source finds it by file name (src/database/migrations.ts), so no
 * index is kept. Non-interactive, so CI can run it.
 * `--check` generates nothing and exits 1 when the entities and migrations differ (drift gate).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDataSource } from '../src/database/data-source';
import { startEmbeddedPostgres } from '../src/database/embedded';

const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

function quote(sql: string): string {
  return '`' + sql.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${') + '`';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const name = args.find((a) => !a.startsWith('--'));
  if (!check && (!name || !/^[A-Z][A-Za-z0-9]+$/.test(name))) {
    process.stderr.write('usage: npm run migration:generate -- PascalCaseName   (or --check)\n');
    process.exit(2);
  }
  const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres(':memory:');
  const url = process.env.DATABASE_URL ?? embedded!.url;
  try {
    // One connection for both steps: the embedded server takes one client at a time and may not
    // have seen a closed client go yet, so a second DataSource right after the first can be refused.
    const ds = createDataSource(url, 1);
    await ds.initialize();
    let sql;
    try {
      await ds.runMigrations({ transaction: 'each' });
      sql = await ds.driver.createSchemaBuilder().log();
    } finally {
      await ds.destroy();
    }
    if (check) {
      if (sql.upQueries.length) {
        process.stderr.write(`Entities and migrations differ; run npm run migration:generate -- Name:\n`);
        for (const q of sql.upQueries) process.stderr.write(`  ${q.query}\n`);
        process.exitCode = 1;
      } else process.stdout.write('migrations: no drift\n');
      return;
    }
    if (!sql.upQueries.length) {
      process.stdout.write('No changes in entities; nothing generated.\n');
      return;
    }
    const ts = Date.now();
    const cls = `${name}${ts}`;
    const up = sql.upQueries.map((q) => `    await q.query(${quote(q.query)});`).join('\n');
    const down = sql.downQueries
      .reverse()
      .map((q) => `    await q.query(${quote(q.query)});`)
      .join('\n');
    const file = `${ts}-${name}.ts`;
    writeFileSync(
      join(MIGRATIONS_DIR, file),
      `import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class ${cls} implements MigrationInterface {\n  name = '${cls}';\n\n  async up(q: QueryRunner): Promise<void> {\n${up}\n  }\n\n  async down(q: QueryRunner): Promise<void> {\n${down}\n  }\n}\n`,
    );
    process.stdout.write(
      `Wrote migrations/${file} (${sql.upQueries.length} statements); review it before committing.\n`,
    );
  } finally {
    await embedded?.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
