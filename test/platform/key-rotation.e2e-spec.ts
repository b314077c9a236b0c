import { randomBytes, randomUUID } from 'node:crypto';
import { rotateAllKeys } from '../../scripts/keys-rotate';
import { loadConfig } from '../../src/config/config';
import { IdempotencyService } from '../../src/api/http/idempotency.service';
import {
  PersonalDataService,
  PersonalField,
} from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { Citizen, nationalId, signedInCitizen, uniquePhone } from '../identity/citizen-fixtures';
import { makeUnit } from '../identity/staff-fixtures';
import { AppBody, applicationSteps, as, guideContent } from '../public/applications-helpers';
import { startTestApp, TestApp } from '../support/test-app';
import { instantSpec, publishServiceWithWorkflow } from '../support/workflow-fixtures';

/**
 * `npm run keys:rotate` (scripts/keys-rotate.ts): rows written under the old key id are rewritten
 * under the new one, decrypt to the same values, a second run rewrites nothing, and once the old
 * key is dropped from FIELD_KEYS everything still reads. It also seals answers stored in clear
 * before their form marked them personal, in the application and in the case's copy.
 */

const key = (): string => randomBytes(32).toString('base64');
/** The run's other specs wrote under the test key ring; a rotation must hold every key in use. */
const OTHERS = loadConfig({ NODE_ENV: 'test' }).fieldKeys;
const OLD = `old${randomUUID().slice(0, 8)}`;
const NEW = `new${randomUUID().slice(0, 8)}`;
const oldKey = key();
const newKey = key();

const FORM = {
  type: 'object',
  required: ['idNumber', 'phone'],
  properties: {
    idNumber: { type: 'string', 'x-personal': 'nationalId' },
    phone: { type: 'string', 'x-personal': 'phone' },
    shopArea: { type: 'number' },
  },
};

interface EnvelopeRow {
  column: string;
  id: string;
  env: string;
}

describe('key rotation (npm run keys:rotate)', () => {
  let t: TestApp | undefined;
  let alice: Citizen;
  let appId: string;
  let legacyId: string;
  const id = nationalId();
  const phone = uniquePhone();
  const legacyPhone = uniquePhone();
  const steps = applicationSteps(() => t!);

  /** The envelopes this test wrote, with their column, so their key ids can be compared. */
  const envelopes = async (): Promise<EnvelopeRow[]> =>
    t!.db.query<EnvelopeRow>(
      `SELECT 'account.national_id_enc' AS column, id::text, national_id_enc AS env FROM account WHERE id = $1
       UNION ALL SELECT 'application.form_personal', id::text, form_personal FROM application WHERE id = ANY($2) AND form_personal IS NOT NULL
       ORDER BY 1, 2`,
      [alice.id, [appId, legacyId]],
    );
  const kid = (env: string) => env.split('.')[1];

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  // The rotation rewrites every row of the run's shared database, other suites' rows included,
  // under this suite's key: rotate them all back under the run's own key, so that the suites that
  // come after (with the default FIELD_KEYS) still read them.
  afterAll(async () => {
    const back = await startTestApp({ FIELD_KEYS: `${OTHERS},${NEW}:${newKey},${OLD}:${oldKey}` });
    try {
      await rotateAllKeys(back.app, 500);
    } finally {
      await back.close();
    }
  });

  it('re-encrypts every envelope under the newest key, idempotently, and seals legacy clear answers', async () => {
    // 1. Data written under the old key alone.
    t = await startTestApp({ FIELD_KEYS: `${OLD}:${oldKey}` });
    const unit = await makeUnit(t, '轮换局');
    const serviceId = (
      await publishServiceWithWorkflow(t, unit, {
        content: { ...guideContent(), form: FORM },
        spec: instantSpec(),
      })
    ).serviceId;
    alice = await signedInCitizen(t);
    await t.http
      .put('/v1/me/profile')
      .set('If-Match', '*')
      .set(as(alice))
      .send({ nationalId: id })
      .expect(200);
    const app = await steps.submitted(alice, serviceId, { idNumber: id, phone, shopArea: 3 });
    appId = app.id;
    // An answer stored in clear by a release before x-personal (or before its form was marked),
    // copied into its case as that release did.
    const legacy = await steps.submitted(alice, serviceId, { idNumber: id, phone: legacyPhone });
    legacyId = legacy.id;
    await t.db.query(`UPDATE application SET form_data = $1, form_personal = NULL WHERE id = $2`, [
      JSON.stringify({ idNumber: id, phone: legacyPhone }),
      legacyId,
    ]);
    await t.db.query(`UPDATE case_file SET data = $1 WHERE subject_id = $2`, [
      JSON.stringify({ idNumber: id, phone: legacyPhone }),
      legacyId,
    ]);
    // An idempotent answer stored under the old key.
    await t.http
      .post('/v1/applications')
      .set(as(alice))
      .set('Idempotency-Key', `rot-${randomUUID()}`)
      .send({ serviceId, formData: { idNumber: id, phone } })
      .expect(201);
    const before = await envelopes();
    expect(before.map((r) => r.column)).toEqual(['account.national_id_enc', 'application.form_personal']);
    expect(before.every((r) => kid(r.env) === OLD)).toBe(true);
    const [{ n: oldAnswers }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM idempotency_key WHERE cipher_key_id = $1`,
      [OLD],
    );
    expect(oldAnswers).toBeGreaterThan(0);
    await t.close();

    // 2. The new key first, the old one kept: rotate.
    t = await startTestApp({ FIELD_KEYS: `${NEW}:${newKey},${OLD}:${oldKey},${OTHERS}` });
    const report = await rotateAllKeys(t.app, 2);
    expect(report.activeKeyId).toBe(NEW);
    const count = (c: string) => report.columns.find((x) => x.column === c)!;
    expect(count('account.national_id_enc').rewritten).toBeGreaterThanOrEqual(1);
    expect(count('application.form_personal').rewritten).toBeGreaterThanOrEqual(1);
    expect(count('idempotency_key.response_body').rewritten).toBeGreaterThanOrEqual(oldAnswers);
    expect(report.columns.every((c) => c.failed === 0)).toBe(true);
    expect(report.sealedLegacyForms).toBeGreaterThanOrEqual(1);

    const after = await envelopes();
    expect(after.map((r) => r.column)).toEqual([
      'account.national_id_enc',
      'application.form_personal',
      'application.form_personal',
    ]);
    expect(after.every((r) => kid(r.env) === NEW)).toBe(true);
    const pd = t.app.get(PersonalDataService);
    expect(pd.decrypt(PersonalField.NationalId, after[0].env)).toBe(id);
    const [{ form_data: legacyPlain }] = await t.db.query<{ form_data: unknown }>(
      'SELECT form_data FROM application WHERE id = $1',
      [legacyId],
    );
    expect(legacyPlain).toEqual({});
    const [{ data: legacyCase }] = await t.db.query<{ data: unknown }>(
      'SELECT data FROM case_file WHERE subject_id = $1',
      [legacyId],
    );
    expect(legacyCase).toEqual({});
    const [{ n: stillOld }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM idempotency_key WHERE cipher_key_id = $1`,
      [OLD],
    );
    expect(stillOld).toBe(0);

    // A second run finds nothing to do.
    const again = await rotateAllKeys(t.app, 2);
    expect(again.columns.map((c) => c.rewritten)).toEqual(again.columns.map(() => 0));
    expect(again.sealedLegacyForms).toBe(0);
    await t.close();

    // 3. The old key dropped (the other specs' key stays, for their rows, now rewritten too):
    // everything still reads, and the values are the same.
    t = await startTestApp({ FIELD_KEYS: `${NEW}:${newKey},${OTHERS}` });
    const mine = (await t.http.get(`/v1/applications/${appId}`).set(as(alice)).expect(200)).body as AppBody;
    expect(mine.formData).toEqual({ idNumber: id, phone, shopArea: 3 });
    const sealed = (await t.http.get(`/v1/applications/${legacyId}`).set(as(alice)).expect(200))
      .body as AppBody;
    expect(sealed.formData).toEqual({ idNumber: id, phone: legacyPhone });
    const me = await t.http.get('/v1/me').set(as(alice)).expect(200);
    expect(JSON.stringify(me.body)).toContain(`${id.slice(0, 3)}***********${id.slice(14)}`);
    // The idempotency store decrypts its answers with the new key alone.
    expect(await t.app.get(IdempotencyService).reEncrypt()).toBe(0);
  });
});
