// TEMPORARY (helper refactor check, removed before hand-back): dumps the contracts to compare.
import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../../src/api/graphql/graphql.module';
import { buildOpenApi } from '../../src/api/http/openapi';
import { startTestApp } from '../support/test-app';

it('dumps contracts', async () => {
  const t = await startTestApp();
  try {
    const out = process.env.OW_DUMP ?? '/tmp/ow-dump/x';
    writeFileSync(`${out}.json`, JSON.stringify(buildOpenApi(t.app, t.config), null, 2));
    writeFileSync(`${out}.graphql`, printSortedSchema(t.app));
  } finally {
    await t.close();
  }
});
