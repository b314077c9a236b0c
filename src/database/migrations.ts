import { join } from 'node:path';

// Migrations are discovered, not listed: every `<13-digit timestamp>-<Name>.ts` file in migrations/
// (its compiled `.js` in dist/migrations) is loaded by TypeORM, which runs them in the order of the
// timestamp that ends each class name. Adding a migration is adding the file; there is no index to
// edit. src/database/migrations.spec.ts checks that file names and class names agree.
export const MIGRATION_FILE = /^(\d{13})-([A-Z][A-Za-z0-9]*)\.(ts|js)$/;

/** migrations/ beside src/ (in dist/, dist/migrations beside dist/src). */
export const MIGRATIONS_DIR = join(__dirname, '..', '..', 'migrations');

/** The glob TypeORM loads migration classes from. */
export const MIGRATION_GLOBS: string[] = [join(MIGRATIONS_DIR, '[0-9]*-*.{ts,js}')];
