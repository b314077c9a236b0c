/**
 * `npm run contracts` boots the app against a throwaway in-memory database and writes the generated
 * contracts: openapi/openapi.json (keys sorted, arrays in order, 2-space indent) and
 * openapi/schema.graphql (types sorted). `--check` writes nothing and exits 1 when the committed
 * files differ from what the code generates now (drift gate in CI).
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { printSortedSchema } from '../src/api/graphql/graphql.module';
import { buildOpenApiWithReport } from '../src/api/http/openapi';
import { createApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/config';
import { startEmbeddedPostgres } from '../src/database/embedded';
import { runMigrations } from '../src/database/prepare';

// dist/scripts/contracts.js -> repository root
const ROOT = join(__dirname, '..', '..');
const OUT_DIR = join(ROOT, 'openapi');

/** Fixed settings, so the generated files do not depend on the caller's environment. */
const CONTRACT_ENV = { NODE_ENV: 'test', PUBLIC_BASE_URL: 'https://api.onewindow.example' };

interface Generated {
  files: Map<string, string>;
  defaultedLimits: string[];
}

async function generate(): Promise<Generated> {
  const embedded = await startEmbeddedPostgres(':memory:');
  let app: INestApplication | undefined;
  try {
    await runMigrations(embedded.url);
    const config = loadConfig(CONTRACT_ENV);
    app = await createApp(config, embedded.url, 1);
    const files = new Map<string, string>();
    // buildOpenApi sorts keys recursively (arrays keep their order), so the file diffs cleanly.
    const { document, defaultedLimits } = buildOpenApiWithReport(app, config);
    files.set(join(OUT_DIR, 'openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
    files.set(join(OUT_DIR, 'schema.graphql'), `${printSortedSchema(app)}\n`);
    return { files, defaultedLimits };
  } finally {
    await app?.close();
    await embedded.close();
  }
}

/** Where two texts first differ, so the CI log points at the change without a diff tool. */
function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (line: string | undefined) =>
    line === undefined ? '(end of file)' : JSON.stringify(line.trim().slice(0, 120));
  return `(first difference at line ${i + 1}: committed ${show(a[i])}, generated ${show(b[i])})`;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const { files, defaultedLimits } = await generate();
  if (defaultedLimits.length) {
    const shown = defaultedLimits
      .slice(0, 15)
      .map((p) => `  ${p}\n`)
      .join('');
    const more = defaultedLimits.length > 15 ? `  ...and ${defaultedLimits.length - 15} more\n` : '';
    process.stdout.write(
      `contracts: ${defaultedLimits.length} schema limits use the documented platform defaults; declare them on the DTOs:\n${shown}${more}`,
    );
  }
  if (check) {
    const drifted: string[] = [];
    for (const [path, text] of files) {
      const committed = existsSync(path) ? readFileSync(path, 'utf8') : null;
      if (committed === null) drifted.push(`${relative(ROOT, path)} (missing)`);
      else if (committed !== text)
        drifted.push(`${relative(ROOT, path)} ${firstDifference(committed, text)}`);
    }
    if (drifted.length) {
      process.stderr.write(
        `contracts: generated contracts differ from the committed files:\n${drifted.map((d) => `  ${d}\n`).join('')}` +
          'Run `npm run contracts`, review the diff and commit it.\n',
      );
      process.exitCode = 1;
    } else process.stdout.write('contracts: no drift\n');
    return;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  for (const [path, text] of files) {
    writeFileSync(path, text);
    process.stdout.write(`contracts: wrote ${relative(ROOT, path)}\n`);
  }
}

main().then(
  // Pool sockets or timers left by a module must not keep the process (and CI) waiting.
  () => process.exit(),
  (e: unknown) => {
    process.stderr.write(`contracts: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
