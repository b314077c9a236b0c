import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Makes the audit log append-only in the database: UPDATE, DELETE and TRUNCATE on audit_leaf and
 * audit_tree_head raise an error (hand-written; a copy of src/modules/platform/audit/audit-guard.sql.ts
 * at the time of writing, so that later edits there never change what this migration did).
 */
export class AuditAppendOnly1795776576789 implements MigrationInterface {
  name = 'AuditAppendOnly1795776576789';

  async up(q: QueryRunner): Promise<void> {
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
$$;

DROP TRIGGER IF EXISTS audit_leaf_append_only ON audit_leaf;
CREATE TRIGGER audit_leaf_append_only BEFORE UPDATE OR DELETE ON audit_leaf FOR EACH ROW EXECUTE FUNCTION audit_append_only();
DROP TRIGGER IF EXISTS audit_leaf_no_truncate ON audit_leaf;
CREATE TRIGGER audit_leaf_no_truncate BEFORE TRUNCATE ON audit_leaf FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
DROP TRIGGER IF EXISTS audit_tree_head_append_only ON audit_tree_head;
CREATE TRIGGER audit_tree_head_append_only BEFORE UPDATE OR DELETE ON audit_tree_head FOR EACH ROW EXECUTE FUNCTION audit_append_only();
DROP TRIGGER IF EXISTS audit_tree_head_no_truncate ON audit_tree_head;
CREATE TRIGGER audit_tree_head_no_truncate BEFORE TRUNCATE ON audit_tree_head FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS audit_leaf_append_only ON audit_leaf;
DROP TRIGGER IF EXISTS audit_leaf_no_truncate ON audit_leaf;
DROP TRIGGER IF EXISTS audit_tree_head_append_only ON audit_tree_head;
DROP TRIGGER IF EXISTS audit_tree_head_no_truncate ON audit_tree_head;
DROP FUNCTION IF EXISTS audit_append_only();`);
  }
}
