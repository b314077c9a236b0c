import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 §1: workflow definitions and cases belong to a registered case type and a subject key
 * within it (the catalogue's type is 'service', keyed by the service id), so complaints, evidence
 * requests and the like run on the same engine. Existing rows are backfilled from service_id, which
 * stays (nullable) for the catalogue's routes, statistics and supervision. case_file.routing holds
 * the work-order state (dispatcher, returns, reopens, satisfaction). The new columns reference no
 * table (a case type is code, a subject key is polymorphic), so they carry no foreign key.
 */
export class CaseTypes1796200000100 implements MigrationInterface {
  name = 'CaseTypes1796200000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_ed60dde718031afbbfe010fd1f"`);
    await q.query(`ALTER TABLE "workflow_definition" ADD "case_type" character varying(32)`);
    await q.query(`ALTER TABLE "workflow_definition" ADD "subject_key" character varying(64)`);
    await q.query(
      `UPDATE "workflow_definition" SET "case_type" = 'service', "subject_key" = CAST("service_id" AS text)`,
    );
    await q.query(`ALTER TABLE "workflow_definition" ALTER COLUMN "case_type" SET NOT NULL`);
    await q.query(`ALTER TABLE "workflow_definition" ALTER COLUMN "subject_key" SET NOT NULL`);
    await q.query(`ALTER TABLE "workflow_definition" ALTER COLUMN "service_id" DROP NOT NULL`);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_b48824e5e6886a9f973842cacc" ON "workflow_definition" ("case_type", "subject_key", "number") `,
    );
    await q.query(`ALTER TABLE "case_file" ADD "case_type" character varying(32)`);
    await q.query(`ALTER TABLE "case_file" ADD "subject_key" character varying(64)`);
    await q.query(
      `UPDATE "case_file" SET "case_type" = 'service', "subject_key" = CAST("service_id" AS text)`,
    );
    await q.query(`ALTER TABLE "case_file" ALTER COLUMN "case_type" SET NOT NULL`);
    await q.query(`ALTER TABLE "case_file" ALTER COLUMN "subject_key" SET NOT NULL`);
    await q.query(`ALTER TABLE "case_file" ALTER COLUMN "service_id" DROP NOT NULL`);
    await q.query(`ALTER TABLE "case_file" ADD "routing" jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Cases and definitions of other case types have no service: they cannot survive the old schema.
    await q.query(`DELETE FROM "case_file" WHERE "service_id" IS NULL`);
    await q.query(`DELETE FROM "workflow_definition" WHERE "service_id" IS NULL`);
    await q.query(`ALTER TABLE "case_file" DROP COLUMN "routing"`);
    await q.query(`ALTER TABLE "case_file" ALTER COLUMN "service_id" SET NOT NULL`);
    await q.query(`ALTER TABLE "case_file" DROP COLUMN "subject_key"`);
    await q.query(`ALTER TABLE "case_file" DROP COLUMN "case_type"`);
    await q.query(`DROP INDEX "public"."IDX_b48824e5e6886a9f973842cacc"`);
    await q.query(`ALTER TABLE "workflow_definition" ALTER COLUMN "service_id" SET NOT NULL`);
    await q.query(`ALTER TABLE "workflow_definition" DROP COLUMN "subject_key"`);
    await q.query(`ALTER TABLE "workflow_definition" DROP COLUMN "case_type"`);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_ed60dde718031afbbfe010fd1f" ON "workflow_definition" ("service_id", "number") `,
    );
  }
}
