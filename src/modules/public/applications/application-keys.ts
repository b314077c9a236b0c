// The applications' part of `npm run keys:rotate`: form_personal re-encrypted under the active key,
// and rows stored before their form's `x-personal` marks existed sealed now (their marked values
// taken out of form_data and out of the case's copy).
import type { Db } from '../../../database/db';
import { reEncryptColumn, RotationCount } from '../../platform/identity/personal-data/key-rotation';
import {
  PersonalDataService,
  PersonalField,
} from '../../platform/identity/personal-data/personal-data.service';
import { personalFields } from '../catalog/form-schema';
import { Application } from './application.entity';
import { markingSchema, personalPart, sealForm } from './application-form';

export const APPLICATION_FORM_COLUMN = {
  table: 'application',
  column: 'form_personal',
  field: PersonalField.ApplicationForm,
} as const;

export function rotateApplicationForms(db: Db, pd: PersonalDataService, batch = 500): Promise<RotationCount> {
  return reEncryptColumn(db, pd, APPLICATION_FORM_COLUMN, batch);
}

/**
 * Seals marked values still in form_data (rows written before the mark or this release), and
 * removes them from the case's data too. Returns how many applications it sealed; running it again
 * seals nothing. Raw UPDATEs: the answers do not change, so neither does the row's version (ETag).
 */
export async function sealLegacyForms(db: Db, pd: PersonalDataService, batch = 200): Promise<number> {
  let sealed = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  const schemas = new Map<string, unknown>();
  for (;;) {
    const apps = await db
      .repo(Application)
      .createQueryBuilder('a')
      .where('a.id > :after', { after })
      .orderBy('a.id', 'ASC')
      .take(batch)
      .getMany();
    for (const app of apps) {
      const cacheKey = `${app.serviceId}/${app.serviceVersionId}`;
      if (!schemas.has(cacheKey)) schemas.set(cacheKey, await markingSchema(db, app));
      const marks = personalFields(schemas.get(cacheKey));
      const clear = Object.keys(app.formData).filter((k) => marks.has(k));
      if (!clear.length) continue;
      const previous = personalPart(pd, app);
      const whole = {
        ...app.formData,
        ...Object.fromEntries(Object.entries(previous).map(([k, p]) => [k, p.value])),
      };
      const next = sealForm(pd, schemas.get(cacheKey), whole, previous);
      await db.query(`UPDATE application SET form_data = $1, form_personal = $2 WHERE id = $3`, [
        JSON.stringify(next.formData),
        next.formPersonal,
        app.id,
      ]);
      await db.query(
        `UPDATE case_file SET data = data - $1::text[] WHERE subject_type = 'application' AND subject_id = $2`,
        [clear, app.id],
      );
      sealed++;
    }
    if (apps.length < batch) return sealed;
    after = apps[apps.length - 1].id;
  }
}
