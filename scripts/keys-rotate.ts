/**
 * `npm run keys:rotate`: after a FIELD_KEYS rotation (a new key put first, the old ones kept),
 * rewrites every envelope column under the new active key, in batches, and prints what it did per
 * column; then the old key can be removed from FIELD_KEYS. Safe to run while the service runs and
 * to run again (already current rows are left alone). It also seals application answers stored in
 * clear before their form marked them `x-personal`.
 *
 * Columns: account.national_id_enc, account.totp_secret_enc, account.totp_pending_enc,
 * channel_identity.openid_enc, the columns modules declared (declareEnvelopeColumns: rating
 * comments, complainants' and askers' contacts, …), application.form_personal,
 * idempotency_key.response_body.
 *
 * Database: DATABASE_URL, or else the embedded one in DATA_DIR (stop the server first: PGlite is a
 * single session). Exit code 0 when every row is under the active key, 1 when some could not be
 * decrypted with any key in FIELD_KEYS (they are listed as failed and left untouched), 2 when it
 * could not run.
 */
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { IdempotencyService } from '../src/api/http/idempotency.service';
import { Db } from '../src/database/db';
import {
  envelopeColumns,
  reEncryptColumn,
  RotationCount,
} from '../src/modules/platform/identity/personal-data/key-rotation';
import { PersonalDataService } from '../src/modules/platform/identity/personal-data/personal-data.service';
import { rotateApplicationForms, sealLegacyForms } from '../src/modules/public/applications/application-keys';

export interface RotationReport {
  activeKeyId: string;
  columns: RotationCount[];
  /** applications whose clear marked answers were sealed */
  sealedLegacyForms: number;
}

/** Every envelope column under the active key; the running app supplies the cipher and the database. */
export async function rotateAllKeys(app: INestApplicationContext, batch = 500): Promise<RotationReport> {
  const db = app.get(Db);
  const pd = app.get(PersonalDataService);
  const columns: RotationCount[] = [];
  for (const target of envelopeColumns()) columns.push(await reEncryptColumn(db, pd, target, batch));
  // Seal first, so answers sealed now are written under the active key and need no second pass.
  const sealedLegacyForms = await sealLegacyForms(db, pd);
  columns.push(await rotateApplicationForms(db, pd, batch));
  // The idempotency store owns its format (envelopes bound to scope and key) and rewrites its own;
  // it stops at the first answer no key in FIELD_KEYS opens, which is reported, not thrown.
  const answers: RotationCount = {
    column: 'idempotency_key.response_body',
    rewritten: 0,
    current: 0,
    failed: 0,
  };
  try {
    answers.rewritten = await app.get(IdempotencyService).reEncrypt(batch);
  } catch (e) {
    answers.failed = 1;
    answers.error = e instanceof Error ? e.message : String(e);
  }
  columns.push(answers);
  return { activeKeyId: pd.activeKeyId, columns, sealedLegacyForms };
}

async function main(): Promise<number> {
  const { loadConfig } = await import('../src/config/config');
  const { prepareDatabase } = await import('../src/database/prepare');
  const { createApp } = await import('../src/bootstrap');
  // No job worker and no demo seeding: this process only rewrites columns.
  const config = loadConfig({ ...process.env, JOBS_ENABLED: 'false', SEED_DEMO_DATA: 'false' });
  const prepared = await prepareDatabase(config);
  const app = await createApp(config, prepared.url, Math.min(prepared.poolSize, 2));
  try {
    const report = await rotateAllKeys(app);
    const out = (s: string) => process.stdout.write(`${s}\n`);
    out(`active key: ${report.activeKeyId}`);
    for (const c of report.columns)
      out(
        `${c.column}: ${c.rewritten} re-encrypted, ${c.current} already current, ${c.failed} failed` +
          (c.error ? ` (${c.error})` : ''),
      );
    out(`application answers sealed from clear: ${report.sealedLegacyForms}`);
    return report.columns.some((c) => c.failed > 0) ? 1 : 0;
  } finally {
    await app.close();
    await prepared.embedded?.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`keys:rotate failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
