import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 11 §2: how sure we are of an account holder's identity (src/modules/platform/identity/identity-assurance.ts). */
export class IdentityAssurance1796100000010 implements MigrationInterface {
  name = 'IdentityAssurance1796100000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "public"."identity_assurance" AS ENUM('none', 'real_name')`);
    await q.query(`CREATE TYPE "public"."identity_verified_by" AS ENUM('national_eid', 'counter', 'demo')`);
    await q.query(
      `ALTER TABLE "account" ADD "identity_assurance" "public"."identity_assurance" NOT NULL DEFAULT 'none'`,
    );
    await q.query(`ALTER TABLE "account" ADD "identity_verified_by" "public"."identity_verified_by"`);
    await q.query(`ALTER TABLE "account" ADD "identity_verified_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "account" DROP COLUMN "identity_verified_at"`);
    await q.query(`ALTER TABLE "account" DROP COLUMN "identity_verified_by"`);
    await q.query(`ALTER TABLE "account" DROP COLUMN "identity_assurance"`);
    await q.query(`DROP TYPE "public"."identity_verified_by"`);
    await q.query(`DROP TYPE "public"."identity_assurance"`);
  }
}
