import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MIGRATION_FILE, MIGRATION_GLOBS, MIGRATIONS_DIR } from './migrations';

// Migrations are discovered by glob (no index): every file must be named so the glob finds it, and
// its class must end with the file's timestamp, which is the order TypeORM runs them in.
describe('migration discovery', () => {
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.ts'));

  it('holds migration files only, each named <timestamp>-<Name>.ts with a class <Name><timestamp>', () => {
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const m = MIGRATION_FILE.exec(f);
      expect({ file: f, named: !!m }).toEqual({ file: f, named: true });
      const source = readFileSync(join(MIGRATIONS_DIR, f), 'utf8');
      expect(source).toContain(`export class ${m![2]}${m![1]} implements MigrationInterface`);
    }
  });

  it('loads every file through the glob, in timestamp order', async () => {
    const ds = new DataSource({ type: 'postgres', migrations: MIGRATION_GLOBS });
    // Builds the migration list without connecting (the protected step initialize() runs first).
    await (ds as unknown as { buildMetadatas(): Promise<void> }).buildMetadatas();
    const names = ds.migrations.map((m) => m.name ?? m.constructor.name);
    const expected = files
      .map((f) => MIGRATION_FILE.exec(f)!)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .map((m) => `${m[2]}${m[1]}`);
    expect([...names].sort((a, b) => Number(a.slice(-13)) - Number(b.slice(-13)))).toEqual(expected);
  });
});
