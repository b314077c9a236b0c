import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in that cannot be turned against its users: the per-account lockout columns give way to
 * throttling state keyed by login, address and pair (login_throttle); a TOTP enrolment waits,
 * encrypted, for its confirming code; recovery codes are kept as keyed hashes.
 */
export class SignInHardening1796100000003 implements MigrationInterface {
  name = 'SignInHardening1796100000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "account" DROP COLUMN "failed_logins"`);
    await q.query(`ALTER TABLE "account" DROP COLUMN "locked_until"`);
    await q.query(`ALTER TABLE "account" ADD "totp_pending_enc" character varying(200)`);
    await q.query(`ALTER TABLE "account" ADD "totp_pending_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(
      `CREATE TABLE "login_throttle" ("key" character varying(64) NOT NULL, "failures" integer NOT NULL DEFAULT '0', "last_failure_at" TIMESTAMP WITH TIME ZONE, "next_attempt_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_14c03bac82292a8310c54cb98d0" PRIMARY KEY ("key"))`,
    );
    await q.query(`CREATE INDEX "IDX_e018dcae8e238460e1a1dd96d5" ON "login_throttle"  ("last_failure_at") `);
    await q.query(
      `CREATE TABLE "recovery_code" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "version" integer NOT NULL DEFAULT '1', "account_id" uuid NOT NULL, "code_hash" character varying(64) NOT NULL, "used_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_b7f1e23329e93a80e25fd281922" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "IDX_9db6a6c505946232618e26c79e" ON "recovery_code"  ("account_id") `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_9db6a6c505946232618e26c79e"`);
    await q.query(`DROP TABLE "recovery_code"`);
    await q.query(`DROP INDEX "public"."IDX_e018dcae8e238460e1a1dd96d5"`);
    await q.query(`DROP TABLE "login_throttle"`);
    await q.query(`ALTER TABLE "account" DROP COLUMN "totp_pending_at"`);
    await q.query(`ALTER TABLE "account" DROP COLUMN "totp_pending_enc"`);
    await q.query(`ALTER TABLE "account" ADD "locked_until" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "account" ADD "failed_logins" integer NOT NULL DEFAULT '0'`);
  }
}
