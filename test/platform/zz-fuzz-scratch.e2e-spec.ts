import { startTestApp } from '../support/test-app';
it('scratch', async () => {
  const t = await startTestApp({ LOG_LEVEL: 'error' });
  const deep = `${'{"a":'.repeat(5000)}"bottom"${'}'.repeat(5000)}`;
  const res = await t.http.post('/v1/auth/refresh').set('Content-Type', 'application/json').send(`{"zz":${deep}}`);
  console.log(res.status, res.text.slice(0, 200));
  await t.close();
});
