import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 10 §5: checkpoints witnessed outside the database, and a runtime role that cannot switch the
 * guard off. Adds audit_witnessed (checkpoints this instance cosigned for other logs, insert-only)
 * and makes the append-only trigger's maintenance bypass require membership in the table's owner
 * role instead of superuser status (hand-written; a copy of audit-guard.sql.ts at the time of writing).
 */
export class AuditWitness1796100000004 implements MigrationInterface {
  name = 'AuditWitness1796100000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "audit_witnessed" ("origin" character varying(200) NOT NULL, "size" bigint NOT NULL, "root_hash" bytea NOT NULL, "note" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_34d062b802b385eec6d42b33c13" PRIMARY KEY ("origin", "size"))`,
    );
    await q.query(`CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('onewindow.audit_maintenance', true) = 'on'
     AND pg_has_role(current_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
    IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS audit_witnessed_append_only ON audit_witnessed;
CREATE TRIGGER audit_witnessed_append_only BEFORE UPDATE OR DELETE ON audit_witnessed FOR EACH ROW EXECUTE FUNCTION audit_append_only();
DROP TRIGGER IF EXISTS audit_witnessed_no_truncate ON audit_witnessed;
CREATE TRIGGER audit_witnessed_no_truncate BEFORE TRUNCATE ON audit_witnessed FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('onewindow.audit_maintenance', true) = 'on' AND current_setting('is_superuser') = 'on' THEN
    IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$;`);
    await q.query(`DROP TABLE "audit_witnessed"`);
  }
}
