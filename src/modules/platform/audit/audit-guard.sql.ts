// Append-only enforcement for the audit tables, for the lead to copy into the reviewed migration
// (up: AUDIT_GUARD_SQL, down: AUDIT_GUARD_DROP_SQL). Tests run AUDIT_GUARD_SQL themselves; it is idempotent.
//
// This stops the application's runtime role (and anyone holding it, e.g. through an injection) from
// rewriting history. It cannot stop the tables' owner or a superuser, who can disable or drop the
// trigger; that is what the Merkle tree, the signed checkpoints, the witnesses outside the database
// and `npm run audit:verify` are for. In production the API connects as a runtime role that owns
// nothing (src/database/db-roles.ts): it cannot ALTER the tables, TRUNCATE them or use the bypass.
//
// Maintenance bypass (tests that simulate tampering, a supervised repair): in one transaction,
//   SET LOCAL onewindow.audit_maintenance = 'on'
// Anyone can set a custom setting, so the setting alone opens nothing: the trigger also requires the
// current role to be a member of the table's owner, who could disable the trigger anyway. The runtime
// role is not, so for it the switch does nothing; the bypass grants no new power to anyone.

/** Tables whose rows may only ever be inserted. audit_node is a derived cache and is not guarded. */
export const AUDIT_GUARDED_TABLES = ['audit_leaf', 'audit_tree_head', 'audit_witnessed'] as const;

export const AUDIT_GUARD_FUNCTION_SQL = `CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
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
$$;`;

/** The triggers on one guarded table (idempotent). */
export const auditGuardTriggersSql = (t: string): string => `
DROP TRIGGER IF EXISTS ${t}_append_only ON ${t};
CREATE TRIGGER ${t}_append_only BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION audit_append_only();
DROP TRIGGER IF EXISTS ${t}_no_truncate ON ${t};
CREATE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();`;

export const AUDIT_GUARD_SQL = `
${AUDIT_GUARD_FUNCTION_SQL}
${AUDIT_GUARDED_TABLES.map(auditGuardTriggersSql).join('')}
`;

export const AUDIT_GUARD_DROP_SQL = `
${AUDIT_GUARDED_TABLES.map((t) => `DROP TRIGGER IF EXISTS ${t}_append_only ON ${t};\nDROP TRIGGER IF EXISTS ${t}_no_truncate ON ${t};`).join('\n')}
DROP FUNCTION IF EXISTS audit_append_only();
`;
