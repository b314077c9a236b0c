import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 12 §2: typed domain events in a transactional outbox. `domain_event` holds each event
 * (ordered per aggregate by `sequence`); `event_delivery` one row per durable subscriber and event,
 * which is also that subscriber's processed-events record. Deliveries go with their event
 * (ON DELETE CASCADE) when the retention purge removes it.
 */
export class DomainEvents1796200000200 implements MigrationInterface {
  name = 'DomainEvents1796200000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "domain_event" ("id" uuid NOT NULL, "type" character varying(100) NOT NULL, "version" integer NOT NULL, "aggregate_type" character varying(50) NOT NULL, "aggregate_id" character varying(100) NOT NULL, "sequence" integer NOT NULL, "payload" jsonb NOT NULL, "actor_kind" character varying(16) NOT NULL, "actor_id" character varying(100), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f901502d0301da69fb8cebbb8f2" PRIMARY KEY ("id"))`,
    );
    await q.query(`CREATE INDEX "domain_event_occurred_idx" ON "domain_event" ("occurred_at") `);
    await q.query(
      `CREATE UNIQUE INDEX "domain_event_aggregate_uq" ON "domain_event" ("aggregate_type", "aggregate_id", "sequence") `,
    );
    await q.query(
      `CREATE TABLE "event_delivery" ("subscriber" character varying(100) NOT NULL, "event_id" uuid NOT NULL, "aggregate_type" character varying(50) NOT NULL, "aggregate_id" character varying(100) NOT NULL, "sequence" integer NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "run_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "attempts" integer NOT NULL DEFAULT '0', "max_attempts" integer NOT NULL DEFAULT '12', "last_error" text, "locked_until" TIMESTAMP WITH TIME ZONE, "delivered_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9e2c4e72e52d2b5d12988f566b5" PRIMARY KEY ("subscriber", "event_id"))`,
    );
    await q.query(
      `CREATE INDEX "event_delivery_order_idx" ON "event_delivery" ("subscriber", "aggregate_type", "aggregate_id", "sequence") `,
    );
    await q.query(`CREATE INDEX "event_delivery_due_idx" ON "event_delivery" ("status", "run_at") `);
    await q.query(
      `ALTER TABLE "event_delivery" ADD CONSTRAINT "FK_77c6a1cf2c559f3bde0af255ed8" FOREIGN KEY ("event_id") REFERENCES "domain_event"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "event_delivery" DROP CONSTRAINT "FK_77c6a1cf2c559f3bde0af255ed8"`);
    await q.query(`DROP INDEX "public"."event_delivery_due_idx"`);
    await q.query(`DROP INDEX "public"."event_delivery_order_idx"`);
    await q.query(`DROP TABLE "event_delivery"`);
    await q.query(`DROP INDEX "public"."domain_event_aggregate_uq"`);
    await q.query(`DROP INDEX "public"."domain_event_occurred_idx"`);
    await q.query(`DROP TABLE "domain_event"`);
  }
}
