// Append-only enforcement for the audit tables, for the lead to copy into the reviewed migration
// (up: AUDIT_GUARD_SQL, down: AUDIT_GUARD_DROP_SQL). Tests run AUDIT_GUARD_SQL themselves; it is idempotent.
//
// This stops the application (and anyone holding its role) from rewriting history by mistake or through
// an injection. It cannot stop a superuser, who can drop the trigger; that is what the Merkle tree, the
// signed checkpoints and `npm run audit:verify` are for. Production should also REVOKE UPDATE, DELETE,
// TRUNCATE on these tables from the application role.
//
// Maintenance bypass (tests that simulate tampering, a supervised repair): in one transaction,
//   SET LOCAL onewindow.audit_maintenance = 'on'
// which only works for a superuser, who could drop the trigger anyway, so it grants no new power.

/** Tables whose rows may only ever be inserted. audit_node is a derived cache and is not guarded. */
export const AUDIT_GUARDED_TABLES = ['audit_leaf', 'audit_tree_head'] as const;

export const AUDIT_GUARD_SQL = `
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
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
${AUDIT_GUARDED_TABLES.map(
  (t) => `
DROP TRIGGER IF EXISTS ${t}_append_only ON ${t};
CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION audit_append_only();
DROP TRIGGER IF EXISTS ${t}_no_truncate ON ${t};
CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();`,
).join('')}
`;

export const AUDIT_GUARD_DROP_SQL = `
${AUDIT_GUARDED_TABLES.map((t) => `DROP TRIGGER IF EXISTS ${t}_append_only ON ${t};\nDROP TRIGGER IF EXISTS ${t}_no_truncate ON ${t};`).join('\n')}
DROP FUNCTION IF EXISTS audit_append_only();
`;
