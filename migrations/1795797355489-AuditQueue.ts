import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditQueue1795797355489 implements MigrationInterface {
  name = 'AuditQueue1795797355489';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_queue" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "fields" jsonb NOT NULL, CONSTRAINT "PK_f2d49bdcd1070a77457a454179b" PRIMARY KEY ("id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_queue"`);
  }
}
