import { MigrationInterface, QueryRunner } from 'typeorm';

export class ServiceJourney1795785043035 implements MigrationInterface {
  name = 'ServiceJourney1795785043035';

  async up(q: QueryRunner): Promise<void> {
    // Application numbers (hand-written: TypeORM does not model free-standing sequences).
    await q.query(`CREATE SEQUENCE "application_number_seq"`);
    await q.query(
      `CREATE TYPE "public"."case_status" AS ENUM('open', 'awaiting_applicant', 'suspended', 'closed')`,
    );
    await q.query(
      `CREATE TYPE "public"."case_outcome" AS ENUM('approved', 'denied', 'refused', 'withdrawn')`,
    );
    await q.query(
      `CREATE TABLE "case_file" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "subject_type" character varying(32) NOT NULL, "subject_id" uuid NOT NULL, "number" character varying(40) NOT NULL, "service_id" uuid NOT NULL, "definition_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "receiving_organisation_id" uuid NOT NULL, "region_code" character varying(12) NOT NULL, "applicant_account_id" uuid NOT NULL, "stage" character varying(64) NOT NULL, "status" "public"."case_status" NOT NULL DEFAULT 'open', "outcome" "public"."case_outcome", "outcome_reason" text, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "accepted_at" TIMESTAMP WITH TIME ZONE, "limit" jsonb NOT NULL, "pauses" jsonb NOT NULL DEFAULT '[]', "extensions" jsonb NOT NULL DEFAULT '[]', "due_at" TIMESTAMP WITH TIME ZONE, "due_provisional" boolean NOT NULL DEFAULT false, "warning_level" character varying(8) NOT NULL DEFAULT 'green', "supplement_requested" boolean NOT NULL DEFAULT false, "actors" jsonb NOT NULL DEFAULT '{}', "approval" jsonb NOT NULL DEFAULT '{}', "data" jsonb NOT NULL DEFAULT '{}', "decided_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "escalated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_911fb1b39fb664d0e88843036b9" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_992e894a9029ed30bfecd12ab8" ON "case_file"  ("number") `);
    await q.query(`CREATE INDEX "IDX_8e7957fe56d97b13860b308862" ON "case_file"  ("service_id") `);
    await q.query(`CREATE INDEX "IDX_c4df12084ff1606f4d87290198" ON "case_file"  ("organisation_id") `);
    await q.query(`CREATE INDEX "IDX_6eefb15724198be53305ea714c" ON "case_file"  ("applicant_account_id") `);
    await q.query(`CREATE INDEX "IDX_271e451a342cc1364519819db5" ON "case_file"  ("status") `);
    await q.query(`CREATE INDEX "IDX_d1e72c6e50d1e8b2627b7c43fb" ON "case_file"  ("due_at") `);
    await q.query(`CREATE INDEX "IDX_924e47426fe7b8e91756d13208" ON "case_file"  ("closed_at") `);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_c45110eff8632212608247883b" ON "case_file"  ("subject_type", "subject_id") `,
    );
    await q.query(`CREATE TYPE "public"."case_task_status" AS ENUM('open', 'completed', 'cancelled')`);
    await q.query(
      `CREATE TABLE "case_task" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "case_id" uuid NOT NULL, "stage" character varying(64) NOT NULL, "kind" character varying(16) NOT NULL DEFAULT 'work', "level" integer NOT NULL DEFAULT '0', "organisation_id" uuid NOT NULL, "permission" character varying(40) NOT NULL, "assignee_id" uuid, "status" "public"."case_task_status" NOT NULL DEFAULT 'open', "due_at" TIMESTAMP WITH TIME ZONE, "warning_level" character varying(8) NOT NULL DEFAULT 'green', "claimed_at" TIMESTAMP WITH TIME ZONE, "completed_at" TIMESTAMP WITH TIME ZONE, "completed_by" uuid, "completed_action" character varying(64), "reminded_at" TIMESTAMP WITH TIME ZONE, "escalated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_06ca77cf52ae5e6d862daf4ec23" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_8dbe360f490d27733f9a2e6032" ON "case_task"  ("case_id") `);
    await q.query(`CREATE INDEX "IDX_d42497265ecc7dff2eaa7fdc86" ON "case_task"  ("assignee_id") `);
    await q.query(
      `CREATE INDEX "IDX_35741953fb8036fbd8ecd27ed6" ON "case_task"  ("organisation_id", "status", "due_at") `,
    );
    await q.query(
      `CREATE TYPE "public"."case_event_status" AS ENUM('open', 'awaiting_applicant', 'suspended', 'closed')`,
    );
    await q.query(
      `CREATE TABLE "case_event" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "case_id" uuid NOT NULL, "action" character varying(64) NOT NULL, "actor_kind" character varying(16) NOT NULL, "actor_id" character varying(64), "on_behalf_of" uuid, "from_stage" character varying(64), "to_stage" character varying(64), "status" "public"."case_event_status" NOT NULL, "reason" text, "data" jsonb NOT NULL DEFAULT '{}', "public" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_5b6e18b2d4fd178711a2269645e" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_7ad999e7075634fdd1a1e8030e" ON "case_event"  ("case_id", "created_at") `,
    );
    await q.query(
      `CREATE TABLE "case_note" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "case_id" uuid NOT NULL, "author_id" uuid NOT NULL, "body" text NOT NULL, CONSTRAINT "PK_7b0442af3f3d9273fb63d2799a2" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_9ec4c5d57b105e1e6392f60596" ON "case_note"  ("case_id", "created_at") `);
    await q.query(`CREATE TYPE "public"."workflow_definition_state" AS ENUM('draft', 'active', 'retired')`);
    await q.query(
      `CREATE TABLE "workflow_definition" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "service_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "number" integer NOT NULL, "state" "public"."workflow_definition_state" NOT NULL DEFAULT 'draft', "spec" jsonb NOT NULL, "created_by" uuid, "activated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_85af8b533afa5d71f1ea9663ad3" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_03e262f12d7f92a091c3081ab9" ON "workflow_definition"  ("service_id") `);
    await q.query(
      `CREATE INDEX "IDX_bb8d0f9f4b9f3d253ac9de9fe7" ON "workflow_definition"  ("organisation_id") `,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_ed60dde718031afbbfe010fd1f" ON "workflow_definition"  ("service_id", "number") `,
    );
    await q.query(`CREATE TYPE "public"."stored_file_purpose" AS ENUM('attachment', 'template')`);
    await q.query(
      `CREATE TABLE "stored_file" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "name" character varying(200) NOT NULL, "content_type" character varying(50) NOT NULL, "size" integer NOT NULL, "sha256" character(64) NOT NULL, "storage_driver" character varying(10) NOT NULL, "storage_key" character varying(100) NOT NULL, "purpose" "public"."stored_file_purpose" NOT NULL DEFAULT 'attachment', "public" boolean NOT NULL DEFAULT false, "uploader_kind" character varying(20) NOT NULL, "uploader_id" uuid NOT NULL, "subject_type" character varying(40), "subject_id" uuid, "attached_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_e140967af84027b493a3ff04fbb" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_1b6df0c8a3f3c4f50770ce034d" ON "stored_file"  ("storage_key") `);
    await q.query(
      `CREATE INDEX "stored_file_unattached" ON "stored_file"  ("created_at") WHERE subject_id IS NULL AND purpose = 'attachment'`,
    );
    await q.query(
      `CREATE INDEX "IDX_8bbc1235ba6daa32d42e8233bb" ON "stored_file"  ("subject_type", "subject_id") `,
    );
    await q.query(
      `CREATE INDEX "IDX_a4203779a97d7d05d3c6453e4f" ON "stored_file"  ("uploader_id", "created_at") `,
    );
    await q.query(
      `CREATE TYPE "public"."application_status" AS ENUM('draft', 'submitted', 'accepted', 'supplement_required', 'suspended', 'approved', 'denied', 'refused', 'issued', 'delivered', 'completed', 'withdrawn')`,
    );
    await q.query(
      `CREATE TABLE "application" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "number" character varying(40), "service_id" uuid NOT NULL, "service_version_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "region_code" character varying(12) NOT NULL, "applicant_account_id" uuid NOT NULL, "business_account_id" uuid, "status" "public"."application_status" NOT NULL DEFAULT 'draft', "form_data" jsonb NOT NULL DEFAULT '{}', "submitted_at" TIMESTAMP WITH TIME ZONE, "promised_due_at" TIMESTAMP WITH TIME ZONE, "due_provisional" boolean NOT NULL DEFAULT false, "supplement" jsonb, "decision" character varying(16), "decision_reason" text, "licence_id" uuid, "licence_verification_code" character varying(16), "withdrawn_at" TIMESTAMP WITH TIME ZONE, "withdrawal_reason" text, "event_effects" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_569e0c3e863ebdf5f2408ee1670" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_e001c5c9c0e2e427333469327b" ON "application"  ("number") `);
    await q.query(`CREATE INDEX "IDX_3e22f6ef9817621157d43088d6" ON "application"  ("service_id") `);
    await q.query(`CREATE INDEX "IDX_06ff70d67f36b48b66686d0fb4" ON "application"  ("status") `);
    await q.query(
      `CREATE INDEX "IDX_a07cf5856df1ba64a8c331a3ac" ON "application"  ("business_account_id", "id") `,
    );
    await q.query(
      `CREATE INDEX "IDX_5099467511b1a7e326802813ca" ON "application"  ("applicant_account_id", "id") `,
    );
    await q.query(
      `CREATE TABLE "application_attachment" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "application_id" uuid NOT NULL, "material" character varying(200) NOT NULL, "file_id" uuid NOT NULL, "name" character varying(255) NOT NULL, "sha256" character varying(64) NOT NULL, "size" bigint NOT NULL, "content_type" character varying(100) NOT NULL, "phase" character varying(16) NOT NULL DEFAULT 'application', CONSTRAINT "PK_81f963232d2fbde489f4af06baf" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_d5e9b6ce728278eb57f788775f" ON "application_attachment"  ("file_id") `,
    );
    await q.query(
      `CREATE INDEX "IDX_bc482b8503b17cbcdfb84cb622" ON "application_attachment"  ("application_id", "created_at") `,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SEQUENCE "application_number_seq"`);
    await q.query(`DROP INDEX "public"."IDX_bc482b8503b17cbcdfb84cb622"`);
    await q.query(`DROP INDEX "public"."IDX_d5e9b6ce728278eb57f788775f"`);
    await q.query(`DROP TABLE "application_attachment"`);
    await q.query(`DROP INDEX "public"."IDX_5099467511b1a7e326802813ca"`);
    await q.query(`DROP INDEX "public"."IDX_a07cf5856df1ba64a8c331a3ac"`);
    await q.query(`DROP INDEX "public"."IDX_06ff70d67f36b48b66686d0fb4"`);
    await q.query(`DROP INDEX "public"."IDX_3e22f6ef9817621157d43088d6"`);
    await q.query(`DROP INDEX "public"."IDX_e001c5c9c0e2e427333469327b"`);
    await q.query(`DROP TABLE "application"`);
    await q.query(`DROP TYPE "public"."application_status"`);
    await q.query(`DROP INDEX "public"."IDX_a4203779a97d7d05d3c6453e4f"`);
    await q.query(`DROP INDEX "public"."IDX_8bbc1235ba6daa32d42e8233bb"`);
    await q.query(`DROP INDEX "public"."stored_file_unattached"`);
    await q.query(`DROP INDEX "public"."IDX_1b6df0c8a3f3c4f50770ce034d"`);
    await q.query(`DROP TABLE "stored_file"`);
    await q.query(`DROP TYPE "public"."stored_file_purpose"`);
    await q.query(`DROP INDEX "public"."IDX_ed60dde718031afbbfe010fd1f"`);
    await q.query(`DROP INDEX "public"."IDX_bb8d0f9f4b9f3d253ac9de9fe7"`);
    await q.query(`DROP INDEX "public"."IDX_03e262f12d7f92a091c3081ab9"`);
    await q.query(`DROP TABLE "workflow_definition"`);
    await q.query(`DROP TYPE "public"."workflow_definition_state"`);
    await q.query(`DROP INDEX "public"."IDX_9ec4c5d57b105e1e6392f60596"`);
    await q.query(`DROP TABLE "case_note"`);
    await q.query(`DROP INDEX "public"."IDX_7ad999e7075634fdd1a1e8030e"`);
    await q.query(`DROP TABLE "case_event"`);
    await q.query(`DROP TYPE "public"."case_event_status"`);
    await q.query(`DROP INDEX "public"."IDX_35741953fb8036fbd8ecd27ed6"`);
    await q.query(`DROP INDEX "public"."IDX_d42497265ecc7dff2eaa7fdc86"`);
    await q.query(`DROP INDEX "public"."IDX_8dbe360f490d27733f9a2e6032"`);
    await q.query(`DROP TABLE "case_task"`);
    await q.query(`DROP TYPE "public"."case_task_status"`);
    await q.query(`DROP INDEX "public"."IDX_c45110eff8632212608247883b"`);
    await q.query(`DROP INDEX "public"."IDX_924e47426fe7b8e91756d13208"`);
    await q.query(`DROP INDEX "public"."IDX_d1e72c6e50d1e8b2627b7c43fb"`);
    await q.query(`DROP INDEX "public"."IDX_271e451a342cc1364519819db5"`);
    await q.query(`DROP INDEX "public"."IDX_6eefb15724198be53305ea714c"`);
    await q.query(`DROP INDEX "public"."IDX_c4df12084ff1606f4d87290198"`);
    await q.query(`DROP INDEX "public"."IDX_8e7957fe56d97b13860b308862"`);
    await q.query(`DROP INDEX "public"."IDX_992e894a9029ed30bfecd12ab8"`);
    await q.query(`DROP TABLE "case_file"`);
    await q.query(`DROP TYPE "public"."case_outcome"`);
    await q.query(`DROP TYPE "public"."case_status"`);
  }
}
