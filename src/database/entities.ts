import { join } from 'node:path';

// Entities are discovered, not listed: every `*.entity.ts` file under src/ (its compiled `.js` in
// dist/) is loaded by TypeORM for the app, the migration scripts and the tests alike. A module adds
// an entity by adding the file; the database layer imports no module (issue 12 §4, layer lint).
// The app also auto-loads entities a module registers with `TypeOrmModule.forFeature([...])`, which
// is how an entity outside src/ (e.g. one defined in a test) joins the app's data source.
// Keep the suffix: src/database/entities.spec.ts fails when an @Entity class sits in a file the
// pattern misses.
export const ENTITY_FILE_SUFFIX = '.entity';

/** The glob TypeORM loads entity classes from: `src/**\/*.entity.{ts,js}` relative to this file. */
export const ENTITY_GLOBS: string[] = [join(__dirname, '..', '**', `*${ENTITY_FILE_SUFFIX}.{ts,js}`)];
