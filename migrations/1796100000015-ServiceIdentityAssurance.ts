import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 11 §2: the identity assurance a service's applications need, copied from its published version. */
export class ServiceIdentityAssurance1796100000015 implements MigrationInterface {
  name = 'ServiceIdentityAssurance1796100000015';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "service" ADD "required_assurance" "public"."identity_assurance" NOT NULL DEFAULT 'none'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "service" DROP COLUMN "required_assurance"`);
  }
}
