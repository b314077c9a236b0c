import { MigrationInterface, QueryRunner } from 'typeorm';

/** An application's personal form fields (x-personal) move out of form_data into one envelope. */
export class FormPersonalData1796100000002 implements MigrationInterface {
  name = 'FormPersonalData1796100000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "application" ADD "form_personal" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "application" DROP COLUMN "form_personal"`);
  }
}
