import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 §6: rate limits shared across instances (RATE_LIMIT_STORE=postgres). Hand-written: the
 * table is what TypeORM generates from RateLimitCounter, created UNLOGGED (no WAL for counters that
 * live a minute; TypeORM neither writes nor compares the persistence, so the drift check agrees).
 */
export class RateLimitCounter1796100000005 implements MigrationInterface {
  name = 'RateLimitCounter1796100000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE UNLOGGED TABLE "rate_limit_counter" ("caller" character varying(200) NOT NULL, "hits" integer NOT NULL, "reset_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_653e626f2a6d96e29467edb5efc" PRIMARY KEY ("caller"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "rate_limit_counter"`);
  }
}
