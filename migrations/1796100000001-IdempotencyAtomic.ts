import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency records commit with the request's effect: no 'processing' claims (status,
 * locked_until), and the stored body sealed with FIELD_KEYS (text envelope + key id) instead of
 * clear jsonb. Existing records are dropped first: their bodies are in clear and cannot be sealed
 * in SQL, and a 'processing' claim means nothing any more. A retry in flight across the upgrade
 * then runs as a new request (as one after IDEMPOTENCY_TTL_HOURS would).
 */
export class IdempotencyAtomic1796100000001 implements MigrationInterface {
  name = 'IdempotencyAtomic1796100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "idempotency_key"`);
    await q.query(`ALTER TABLE "idempotency_key" DROP CONSTRAINT "idempotency_key_status_ck"`);
    await q.query(`ALTER TABLE "idempotency_key" DROP COLUMN "status"`);
    await q.query(`ALTER TABLE "idempotency_key" DROP COLUMN "locked_until"`);
    await q.query(`ALTER TABLE "idempotency_key" DROP COLUMN "response_body"`);
    await q.query(`ALTER TABLE "idempotency_key" ADD "response_body" text`);
    await q.query(`ALTER TABLE "idempotency_key" ADD "cipher_key_id" character varying(64)`);
    await q.query(`ALTER TABLE "idempotency_key" ALTER COLUMN "response_status" SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "idempotency_key"`);
    await q.query(`ALTER TABLE "idempotency_key" ALTER COLUMN "response_status" DROP NOT NULL`);
    await q.query(`ALTER TABLE "idempotency_key" DROP COLUMN "cipher_key_id"`);
    await q.query(`ALTER TABLE "idempotency_key" DROP COLUMN "response_body"`);
    await q.query(`ALTER TABLE "idempotency_key" ADD "response_body" jsonb`);
    await q.query(`ALTER TABLE "idempotency_key" ADD "locked_until" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "idempotency_key" ADD "status" character varying(16) NOT NULL`);
    await q.query(
      `ALTER TABLE "idempotency_key" ADD CONSTRAINT "idempotency_key_status_ck" CHECK ("status" IN ('processing', 'done'))`,
    );
  }
}
