import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 §1: the consultation window (咨询). `consultation` (one thread per question of a service
 * or a unit), `consultation_message` (the thread, each text sealed: PersonalField.ConsultationText;
 * each question names the case that clocks it), `consultation_template` (answer templates per unit)
 * and `consultation_faq` (answered consultations published on their service's guide).
 */
export class Consultations1796300000200 implements MigrationInterface {
  name = 'Consultations1796300000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE "public"."consultation_status" AS ENUM('open', 'answered')`);
    await q.query(
      `CREATE TABLE "consultation" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "number" character varying(40) NOT NULL, "asker_account_id" uuid NOT NULL, "service_id" uuid, "organisation_id" uuid NOT NULL, "subject_key" character varying(64) NOT NULL, "status" "public"."consultation_status" NOT NULL DEFAULT 'open', "follow_ups" integer NOT NULL DEFAULT '0', "language" character varying(5) NOT NULL, "answered_at" TIMESTAMP WITH TIME ZONE, "answered_by" uuid, CONSTRAINT "PK_5203569fac28a4a626c42abe70b" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "consultation_number_uq" ON "consultation"  ("number")`);
    await q.query(`CREATE INDEX "consultation_unit_idx" ON "consultation"  ("organisation_id", "status")`);
    await q.query(
      `CREATE INDEX "consultation_asker_idx" ON "consultation"  ("asker_account_id", "updated_at")`,
    );
    await q.query(
      `CREATE TABLE "consultation_message" ("id" uuid NOT NULL, "consultation_id" uuid NOT NULL, "seq" integer NOT NULL, "kind" character varying(16) NOT NULL, "body_enc" text NOT NULL, "author_account_id" uuid, "case_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_010b1955bafa897c8e04bb227e9" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "consultation_message_seq_uq" ON "consultation_message"  ("consultation_id", "seq")`,
    );
    await q.query(
      `CREATE TABLE "consultation_template" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "organisation_id" uuid NOT NULL, "title" character varying(200) NOT NULL, "body" text NOT NULL, CONSTRAINT "PK_49eaa93eb0eb183a9138d9388a2" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "consultation_template_title_uq" ON "consultation_template"  ("organisation_id", "title")`,
    );
    await q.query(
      `CREATE TABLE "consultation_faq" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "consultation_id" uuid NOT NULL, "service_id" uuid NOT NULL, "language" character varying(5) NOT NULL, "question" character varying(500) NOT NULL, "answer" character varying(4000) NOT NULL, "published_by" uuid NOT NULL, CONSTRAINT "PK_ef1f2f2709527072471819e54b8" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "consultation_faq_consultation_uq" ON "consultation_faq"  ("consultation_id")`,
    );
    await q.query(
      `CREATE INDEX "consultation_faq_service_idx" ON "consultation_faq"  ("service_id", "created_at")`,
    );
    await q.query(
      `ALTER TABLE "consultation" ADD CONSTRAINT "FK_4a479c6681b5b9fe921d699130b" FOREIGN KEY ("asker_account_id") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "consultation" ADD CONSTRAINT "FK_b40d8f8931d0d3af036abb81d54" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "consultation" ADD CONSTRAINT "FK_cb8bfca48329c24a4a5f7d56bc3" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "consultation_message" ADD CONSTRAINT "FK_2949ef71e383c94dd33713f17fa" FOREIGN KEY ("consultation_id") REFERENCES "consultation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "consultation_message" ADD CONSTRAINT "FK_e1e1b656cb63287103e5db68bbf" FOREIGN KEY ("case_id") REFERENCES "case_file"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "consultation_template" ADD CONSTRAINT "FK_b37773c317ecd316240fbfb0d11" FOREIGN KEY ("organisation_id") REFERENCES "organisation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "consultation_faq" ADD CONSTRAINT "FK_1f4d5734fc8fa7abe614c45d4d2" FOREIGN KEY ("consultation_id") REFERENCES "consultation"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "consultation_faq" ADD CONSTRAINT "FK_df8d99640d8a19236cc7690a4dd" FOREIGN KEY ("service_id") REFERENCES "service"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "consultation_faq" DROP CONSTRAINT "FK_df8d99640d8a19236cc7690a4dd"`);
    await q.query(`ALTER TABLE "consultation_faq" DROP CONSTRAINT "FK_1f4d5734fc8fa7abe614c45d4d2"`);
    await q.query(`ALTER TABLE "consultation_template" DROP CONSTRAINT "FK_b37773c317ecd316240fbfb0d11"`);
    await q.query(`ALTER TABLE "consultation_message" DROP CONSTRAINT "FK_e1e1b656cb63287103e5db68bbf"`);
    await q.query(`ALTER TABLE "consultation_message" DROP CONSTRAINT "FK_2949ef71e383c94dd33713f17fa"`);
    await q.query(`ALTER TABLE "consultation" DROP CONSTRAINT "FK_cb8bfca48329c24a4a5f7d56bc3"`);
    await q.query(`ALTER TABLE "consultation" DROP CONSTRAINT "FK_b40d8f8931d0d3af036abb81d54"`);
    await q.query(`ALTER TABLE "consultation" DROP CONSTRAINT "FK_4a479c6681b5b9fe921d699130b"`);
    await q.query(`DROP INDEX "public"."consultation_faq_service_idx"`);
    await q.query(`DROP INDEX "public"."consultation_faq_consultation_uq"`);
    await q.query(`DROP TABLE "consultation_faq"`);
    await q.query(`DROP INDEX "public"."consultation_template_title_uq"`);
    await q.query(`DROP TABLE "consultation_template"`);
    await q.query(`DROP INDEX "public"."consultation_message_seq_uq"`);
    await q.query(`DROP TABLE "consultation_message"`);
    await q.query(`DROP INDEX "public"."consultation_asker_idx"`);
    await q.query(`DROP INDEX "public"."consultation_unit_idx"`);
    await q.query(`DROP INDEX "public"."consultation_number_uq"`);
    await q.query(`DROP TABLE "consultation"`);
    await q.query(`DROP TYPE "public"."consultation_status"`);
  }
}
