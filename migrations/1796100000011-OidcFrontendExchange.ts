import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 11 §2: the eID callback hands the browser a one-time code for the frontend to exchange, bound to the browser that started the sign-in. */
export class OidcFrontendExchange1796100000011 implements MigrationInterface {
  name = 'OidcFrontendExchange1796100000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "oidc_state" ADD "binding_hash" character varying(64)`);
    await q.query(
      `CREATE TABLE "oidc_login_code" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "code_hash" character varying(64) NOT NULL, "binding_hash" character varying(64) NOT NULL, "account_id" uuid NOT NULL, "linked" character varying(8) NOT NULL, "return_to" character varying(2048), "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_d6e46f595b8b13f723744835659" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE UNIQUE INDEX "IDX_41b26d2faa1e6f88e37eab185a" ON "oidc_login_code" ("code_hash") `);
    await q.query(`CREATE INDEX "IDX_9f0a20b9bd881da3cbd50951d7" ON "oidc_login_code" ("expires_at") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_9f0a20b9bd881da3cbd50951d7"`);
    await q.query(`DROP INDEX "public"."IDX_41b26d2faa1e6f88e37eab185a"`);
    await q.query(`DROP TABLE "oidc_login_code"`);
    await q.query(`ALTER TABLE "oidc_state" DROP COLUMN "binding_hash"`);
  }
}
