import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 §4, 好差评: ratings of handled items (one per item: `rating_item_uq`), hall rating codes,
 * appeals against ratings (one per rating) and the rectifications of bad real-name ratings (one per
 * rating), each a record of its own (RESTRICT), an appeal going with its rating (CASCADE), and
 * accounts emptied on deletion (SET NULL) so the figures keep their ratings.
 */
export class Ratings1796300000300 implements MigrationInterface {
  name = 'Ratings1796300000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "rating" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "kind" character varying(32) NOT NULL, "item_id" character varying(64) NOT NULL, "rater_account_id" uuid, "organisation_id" uuid NOT NULL, "service_id" uuid, "handler_account_id" uuid, "score" smallint NOT NULL, "channel" character varying(16) NOT NULL, "source" character varying(8) NOT NULL, "comment" text, "title_zh" character varying(200) NOT NULL, "title_en" character varying(200) NOT NULL, "handled_at" TIMESTAMP WITH TIME ZONE NOT NULL, "rated_at" TIMESTAMP WITH TIME ZONE NOT NULL, "excluded" boolean NOT NULL DEFAULT false, "exclusion_reason" text, CONSTRAINT "PK_ecda8ad32645327e4765b43649e" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "rating_rater_idx" ON "rating"  ("rater_account_id", "id") `);
    await q.query(`CREATE INDEX "rating_service_idx" ON "rating"  ("service_id", "score") `);
    await q.query(`CREATE INDEX "rating_unit_idx" ON "rating"  ("organisation_id", "score") `);
    await q.query(`CREATE UNIQUE INDEX "rating_item_uq" ON "rating"  ("kind", "item_id") `);
    await q.query(
      `CREATE TABLE "rating_code" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "code" character varying(16) NOT NULL, "organisation_id" uuid NOT NULL, "service_id" uuid, "staff_account_id" uuid, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_9a8024cf808d991e4fdcab4eb8c" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "rating_code_code_uq" ON "rating_code"  ("code") `);
    await q.query(
      `CREATE TABLE "rating_appeal" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "rating_id" uuid NOT NULL, "organisation_id" uuid NOT NULL, "ground" character varying(16) NOT NULL, "reason" text NOT NULL, "status" character varying(12) NOT NULL, "filed_by" uuid NOT NULL, "decided_by" uuid, "decision_reason" text, "decided_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_4de5fdd571394445f56a1a81002" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "rating_appeal_unit_idx" ON "rating_appeal"  ("organisation_id", "status", "id") `,
    );
    await q.query(`CREATE UNIQUE INDEX "rating_appeal_rating_uq" ON "rating_appeal"  ("rating_id") `);
    await q.query(
      `CREATE TABLE "rectification" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "rating_id" uuid NOT NULL, "number" character varying(40) NOT NULL, "organisation_id" uuid NOT NULL, "service_id" uuid, "rater_account_id" uuid, "kind" character varying(32) NOT NULL, "score" smallint NOT NULL, "status" character varying(12) NOT NULL, "stage" character varying(64) NOT NULL, "outcome" character varying(16), "public_answer" text, "answered_at" TIMESTAMP WITH TIME ZONE, "rater_satisfaction" character varying(24), "rater_rated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_490098febcd6556a2ad09c7f368" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "rectification_rater_idx" ON "rectification"  ("rater_account_id") `);
    await q.query(`CREATE INDEX "rectification_unit_idx" ON "rectification"  ("organisation_id", "id") `);
    await q.query(`CREATE UNIQUE INDEX "rectification_rating_uq" ON "rectification"  ("rating_id") `);
    await q.query(
      `ALTER TABLE "rating" ADD CONSTRAINT "FK_105ce7403018d3cb69b2485fe97" FOREIGN KEY ("rater_account_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rating" ADD CONSTRAINT "FK_477b450264ca45b6b65d4076256" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rating" ADD CONSTRAINT "FK_d4c503a46abe71aa8a3e062a339" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rating" ADD CONSTRAINT "FK_6741cf8ddb9d58ab00248c4ce9b" FOREIGN KEY ("handler_account_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rating_code" ADD CONSTRAINT "FK_6b5d6226d0c291ec209db5b2d29" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rating_code" ADD CONSTRAINT "FK_abd176c70218e3ab4a3040d391e" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rating_code" ADD CONSTRAINT "FK_8734d41ff27cb1ac05e70b0164b" FOREIGN KEY ("staff_account_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rating_appeal" ADD CONSTRAINT "FK_93779e3c62a1d4c732cceb3a669" FOREIGN KEY ("rating_id") REFERENCES "rating"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rating_appeal" ADD CONSTRAINT "FK_b602893908ebf7aeeab8feb600d" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rectification" ADD CONSTRAINT "FK_78c58d93e5256bffc7f92bfc9b4" FOREIGN KEY ("rating_id") REFERENCES "rating"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rectification" ADD CONSTRAINT "FK_44f481250cc26669df36f2808ed" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rectification" ADD CONSTRAINT "FK_8094c9b39060bb9ba9d7bc58594" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "rectification" ADD CONSTRAINT "FK_e045b68c380c897a7c7c484ce4c" FOREIGN KEY ("rater_account_id") REFERENCES "account"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "rectification" DROP CONSTRAINT "FK_e045b68c380c897a7c7c484ce4c"`);
    await q.query(`ALTER TABLE "rectification" DROP CONSTRAINT "FK_8094c9b39060bb9ba9d7bc58594"`);
    await q.query(`ALTER TABLE "rectification" DROP CONSTRAINT "FK_44f481250cc26669df36f2808ed"`);
    await q.query(`ALTER TABLE "rectification" DROP CONSTRAINT "FK_78c58d93e5256bffc7f92bfc9b4"`);
    await q.query(`ALTER TABLE "rating_appeal" DROP CONSTRAINT "FK_b602893908ebf7aeeab8feb600d"`);
    await q.query(`ALTER TABLE "rating_appeal" DROP CONSTRAINT "FK_93779e3c62a1d4c732cceb3a669"`);
    await q.query(`ALTER TABLE "rating_code" DROP CONSTRAINT "FK_8734d41ff27cb1ac05e70b0164b"`);
    await q.query(`ALTER TABLE "rating_code" DROP CONSTRAINT "FK_abd176c70218e3ab4a3040d391e"`);
    await q.query(`ALTER TABLE "rating_code" DROP CONSTRAINT "FK_6b5d6226d0c291ec209db5b2d29"`);
    await q.query(`ALTER TABLE "rating" DROP CONSTRAINT "FK_6741cf8ddb9d58ab00248c4ce9b"`);
    await q.query(`ALTER TABLE "rating" DROP CONSTRAINT "FK_d4c503a46abe71aa8a3e062a339"`);
    await q.query(`ALTER TABLE "rating" DROP CONSTRAINT "FK_477b450264ca45b6b65d4076256"`);
    await q.query(`ALTER TABLE "rating" DROP CONSTRAINT "FK_105ce7403018d3cb69b2485fe97"`);
    await q.query(`DROP INDEX "public"."rectification_rating_uq"`);
    await q.query(`DROP INDEX "public"."rectification_unit_idx"`);
    await q.query(`DROP INDEX "public"."rectification_rater_idx"`);
    await q.query(`DROP TABLE "rectification"`);
    await q.query(`DROP INDEX "public"."rating_appeal_rating_uq"`);
    await q.query(`DROP INDEX "public"."rating_appeal_unit_idx"`);
    await q.query(`DROP TABLE "rating_appeal"`);
    await q.query(`DROP INDEX "public"."rating_code_code_uq"`);
    await q.query(`DROP TABLE "rating_code"`);
    await q.query(`DROP INDEX "public"."rating_item_uq"`);
    await q.query(`DROP INDEX "public"."rating_unit_idx"`);
    await q.query(`DROP INDEX "public"."rating_service_idx"`);
    await q.query(`DROP INDEX "public"."rating_rater_idx"`);
    await q.query(`DROP TABLE "rating"`);
  }
}
