import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 §2: complaints and suggestions (投诉建议) as 12345 work orders. `complaint_category` is the
 * category tree (leaves take orders; each has the dispatch centre that receives them),
 * `complaint_time_limit` the limits per region × category or kind × urgency, `complaint` the orders
 * (contact sealed; status mirrored from their `complaint` case) and `complaint_update` their record.
 */
export class Complaints1796300000100 implements MigrationInterface {
  name = 'Complaints1796300000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "complaint_category" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "code" character varying(64) NOT NULL, "parent_code" character varying(64), "assignable" boolean NOT NULL DEFAULT true, "kind" character varying(16) NOT NULL, "name" jsonb NOT NULL, "description" jsonb NOT NULL, "group_name" jsonb NOT NULL, "keywords" jsonb NOT NULL DEFAULT '[]', "attributes" jsonb NOT NULL DEFAULT '[]', "organisation_id" uuid NOT NULL, "region_code" character varying(12) NOT NULL, "active" boolean NOT NULL DEFAULT true, CONSTRAINT "PK_2b27f05b9c8e2d733af2868bfff" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_1167d147984285244e9522ff65" ON "complaint_category"  ("code") `);
    await q.query(
      `CREATE TABLE "complaint_time_limit" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "region_code" character varying(12), "category_code" character varying(64), "kind" character varying(16), "urgency" character varying(16) NOT NULL, "amount" integer NOT NULL, "unit" character varying(16) NOT NULL, CONSTRAINT "PK_cf15a1be69edc218fba0e4e4b09" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_4b68db9eb8cba8515dcce9dfd2" ON "complaint_time_limit"  ("region_code", "category_code", "kind", "urgency") `,
    );
    await q.query(
      `CREATE TABLE "complaint" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "number" character varying(32) NOT NULL, "tracking_code" character varying(16) NOT NULL, "category_id" uuid NOT NULL, "category_code" character varying(64) NOT NULL, "description" text NOT NULL, "urgency" character varying(16) NOT NULL, "channel" character varying(16) NOT NULL, "lat" double precision, "long" double precision, "address" character varying(300), "address_id" character varying(100), "region_code" character varying(12) NOT NULL, "attributes" jsonb NOT NULL DEFAULT '{}', "media_file_ids" jsonb NOT NULL DEFAULT '[]', "media_urls" jsonb NOT NULL DEFAULT '[]', "anonymous" boolean NOT NULL, "complainant_account_id" uuid, "contact_enc" text, "content_key" character varying(64) NOT NULL, "dispatch_organisation_id" uuid NOT NULL, "handling_organisation_id" uuid NOT NULL, "case_id" uuid, "status" character varying(8) NOT NULL DEFAULT 'open', "extended_status" character varying(32) NOT NULL DEFAULT 'open', "status_notes" text, "expected_at" TIMESTAMP WITH TIME ZONE, "duplicate_of_id" uuid, "satisfaction" character varying(24), "closed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_a9c8dbc2ab4988edcc2ff0a7337" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_0b888ed2fd6800daf0ebdf568b" ON "complaint"  ("number") `);
    await q.query(`CREATE UNIQUE INDEX "IDX_99e41ae6346db925992fe842b0" ON "complaint"  ("tracking_code") `);
    await q.query(
      `CREATE INDEX "IDX_e456106fcfb64a3ec2c27268c6" ON "complaint"  ("complainant_account_id") `,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_0d20e7a26042e5340d5a8fa947" ON "complaint"  ("case_id") WHERE case_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "IDX_bc75f6bda0f8ecddb3116645f2" ON "complaint"  ("duplicate_of_id") `);
    await q.query(
      `CREATE INDEX "IDX_a66969622c3d2ddeea6dbd541c" ON "complaint"  ("content_key", "created_at") `,
    );
    await q.query(
      `CREATE INDEX "IDX_fa3ffe048a20aa361baeac914b" ON "complaint"  ("region_code", "created_at") `,
    );
    await q.query(
      `CREATE INDEX "IDX_b0c2dc7d7a69c55d833c1270db" ON "complaint"  ("category_code", "created_at") `,
    );
    await q.query(
      `CREATE TABLE "complaint_update" ("id" uuid NOT NULL, "complaint_id" uuid NOT NULL, "kind" character varying(24) NOT NULL, "public" boolean NOT NULL, "status" character varying(8) NOT NULL, "extended_status" character varying(32) NOT NULL, "description" text NOT NULL, "media_url" character varying(2048), "tier" character varying(8), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_504f70bc0e0f84087e245b50607" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_3e4649c4fe0207e07d2347c2e3" ON "complaint_update"  ("public", "created_at") `,
    );
    await q.query(
      `CREATE INDEX "IDX_dc82f59c019b4ad2980bab9186" ON "complaint_update"  ("complaint_id", "created_at") `,
    );
    await q.query(
      `ALTER TABLE "complaint_category" ADD CONSTRAINT "FK_4006c01fafd34851a84d708650a" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "complaint" ADD CONSTRAINT "FK_2b27f05b9c8e2d733af2868bfff" FOREIGN KEY ("category_id") REFERENCES "complaint_category"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "complaint" ADD CONSTRAINT "FK_e456106fcfb64a3ec2c27268c6d" FOREIGN KEY ("complainant_account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "complaint" ADD CONSTRAINT "FK_466cf1b56bd72f769622b52a7df" FOREIGN KEY ("dispatch_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "complaint" ADD CONSTRAINT "FK_6316ec62fcb3ffe1d74156441c4" FOREIGN KEY ("handling_organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "complaint" ADD CONSTRAINT "FK_9577e07b26221123efebda175bc" FOREIGN KEY ("case_id") REFERENCES "case_file"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "complaint" ADD CONSTRAINT "FK_bc75f6bda0f8ecddb3116645f2f" FOREIGN KEY ("duplicate_of_id") REFERENCES "complaint"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "complaint_update" ADD CONSTRAINT "FK_d3ead57103cfd8bf83e153fb1b1" FOREIGN KEY ("complaint_id") REFERENCES "complaint"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // The requester of cases nobody files by account (anonymous orders, API keys, hotline calls): the
    // engine's case_file.applicant_account_id is required. Disabled, no password, no contact: it
    // cannot sign in, and no personal data is ever linked to it.
    await q.query(
      `INSERT INTO "account" ("id", "kind", "status", "display_name") VALUES ('00000000-0000-7000-8000-000000012345', 'citizen', 'disabled', '匿名诉求人') ON CONFLICT ("id") DO NOTHING`,
    );
    // 办理时限 (local rules, everywhere until a region sets its own): 咨询/求助 3 working days,
    // 投诉/建议 13, urgent 1, life safety 2 hours.
    await q.query(
      `INSERT INTO "complaint_time_limit" ("id", "region_code", "category_code", "kind", "urgency", "amount", "unit") VALUES
        (gen_random_uuid(), NULL, NULL, 'consultation', 'normal', 3, 'working_days'),
        (gen_random_uuid(), NULL, NULL, 'help', 'normal', 3, 'working_days'),
        (gen_random_uuid(), NULL, NULL, 'complaint', 'normal', 13, 'working_days'),
        (gen_random_uuid(), NULL, NULL, 'suggestion', 'normal', 13, 'working_days'),
        (gen_random_uuid(), NULL, NULL, NULL, 'urgent', 1, 'working_days'),
        (gen_random_uuid(), NULL, NULL, NULL, 'life_safety', 2, 'hours')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "complaint_update" DROP CONSTRAINT "FK_d3ead57103cfd8bf83e153fb1b1"`);
    await q.query(`ALTER TABLE "complaint" DROP CONSTRAINT "FK_bc75f6bda0f8ecddb3116645f2f"`);
    await q.query(`ALTER TABLE "complaint" DROP CONSTRAINT "FK_9577e07b26221123efebda175bc"`);
    await q.query(`ALTER TABLE "complaint" DROP CONSTRAINT "FK_6316ec62fcb3ffe1d74156441c4"`);
    await q.query(`ALTER TABLE "complaint" DROP CONSTRAINT "FK_466cf1b56bd72f769622b52a7df"`);
    await q.query(`ALTER TABLE "complaint" DROP CONSTRAINT "FK_e456106fcfb64a3ec2c27268c6d"`);
    await q.query(`ALTER TABLE "complaint" DROP CONSTRAINT "FK_2b27f05b9c8e2d733af2868bfff"`);
    await q.query(`ALTER TABLE "complaint_category" DROP CONSTRAINT "FK_4006c01fafd34851a84d708650a"`);
    await q.query(`DROP INDEX "public"."IDX_dc82f59c019b4ad2980bab9186"`);
    await q.query(`DROP INDEX "public"."IDX_3e4649c4fe0207e07d2347c2e3"`);
    await q.query(`DROP TABLE "complaint_update"`);
    await q.query(`DROP INDEX "public"."IDX_b0c2dc7d7a69c55d833c1270db"`);
    await q.query(`DROP INDEX "public"."IDX_fa3ffe048a20aa361baeac914b"`);
    await q.query(`DROP INDEX "public"."IDX_a66969622c3d2ddeea6dbd541c"`);
    await q.query(`DROP INDEX "public"."IDX_bc75f6bda0f8ecddb3116645f2"`);
    await q.query(`DROP INDEX "public"."IDX_0d20e7a26042e5340d5a8fa947"`);
    await q.query(`DROP INDEX "public"."IDX_e456106fcfb64a3ec2c27268c6"`);
    await q.query(`DROP INDEX "public"."IDX_99e41ae6346db925992fe842b0"`);
    await q.query(`DROP INDEX "public"."IDX_0b888ed2fd6800daf0ebdf568b"`);
    await q.query(`DROP TABLE "complaint"`);
    await q.query(`DROP INDEX "public"."IDX_4b68db9eb8cba8515dcce9dfd2"`);
    await q.query(`DROP TABLE "complaint_time_limit"`);
    await q.query(`DROP INDEX "public"."IDX_1167d147984285244e9522ff65"`);
    await q.query(`DROP TABLE "complaint_category"`);
    // Kept while cases still name it as their requester.
    await q.query(
      `DELETE FROM "account" WHERE "id" = '00000000-0000-7000-8000-000000012345' AND NOT EXISTS (SELECT 1 FROM "case_file" WHERE "applicant_account_id" = '00000000-0000-7000-8000-000000012345')`,
    );
  }
}
