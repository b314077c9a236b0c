import { writeFileSync } from 'node:fs';
import { startTestApp } from '../support/test-app';

it('dumps openapi', async () => {
  const t = await startTestApp();
  const res = await t.http.get('/openapi.json').expect(200);
  writeFileSync('/tmp/ow-helperf-openapi.json', JSON.stringify(res.body));
  await t.close();
});
