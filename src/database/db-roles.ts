// The production database grants (issue 10 §5): migrations run as an owner role, the API as a
// runtime role that owns nothing. A table's owner can ALTER it (DISABLE TRIGGER), TRUNCATE it and use
// the audit guard's maintenance bypass; the runtime role can do none of these, so neither the API nor
// anyone who takes over its connection can rewrite the audit log without leaving evidence.
//
// `npm run db:roles -- --database onewindow --owner onewindow_owner --runtime onewindow_app` prints this
// script; the PostgreSQL-only test in test/platform/audit-roles.e2e-spec.ts runs the same text.

/** The audit tables: the runtime role may read them and insert, never change or remove a row. */
const AUDIT_INSERT_ONLY = ['audit_leaf', 'audit_tree_head', 'audit_witnessed'];

export interface DbRoleNames {
  database: string;
  /** owns the schema and every table; MIGRATION_DATABASE_URL connects as it */
  owner: string;
  /** the API's role; DATABASE_URL connects as it */
  runtime: string;
}

const IDENT_RE = /^[a-z_][a-z0-9_]{0,62}$/;

function ident(name: string, what: string): string {
  if (!IDENT_RE.test(name))
    throw new RangeError(`${what} must be a lower-case SQL identifier (a-z, 0-9, _), got "${name}"`);
  return `"${name}"`;
}

/**
 * Grants for a database whose roles exist (CREATE ROLE … LOGIN PASSWORD …, see the README). Run it as
 * a superuser connected to the database, after `npm run migration:run` has run as the owner, and again
 * after every upgrade: it is idempotent, and the audit revocations need the tables to exist.
 */
export function dbRolesSql(names: DbRoleNames): string {
  const db = ident(names.database, 'database');
  const owner = ident(names.owner, 'owner role');
  const app = ident(names.runtime, 'runtime role');
  if (names.owner === names.runtime) throw new RangeError('the owner and runtime roles must differ');
  return `-- OneWindow database roles for ${names.database}: ${names.owner} owns, ${names.runtime} runs the API.
-- The runtime role must not be a superuser, nor a member of the owner (it would inherit ALTER/TRUNCATE).
DO $$
BEGIN
  IF (SELECT rolsuper OR rolbypassrls OR rolcreaterole FROM pg_roles WHERE rolname = '${names.runtime}') THEN
    RAISE EXCEPTION 'role ${names.runtime} must be NOSUPERUSER NOBYPASSRLS NOCREATEROLE';
  END IF;
  IF pg_has_role('${names.runtime}', '${names.owner}', 'MEMBER') THEN
    RAISE EXCEPTION 'role ${names.runtime} must not be a member of ${names.owner}';
  END IF;
END
$$;

-- The owner holds the database, the schema and everything in it.
ALTER DATABASE ${db} OWNER TO ${owner};
REVOKE ALL ON DATABASE ${db} FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${app};
ALTER SCHEMA public OWNER TO ${owner};
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO ${app};

-- The runtime role reads and writes rows, today's tables and those later migrations create;
-- no TRUNCATE, REFERENCES or TRIGGER; owning nothing, it can ALTER or DROP nothing.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${app};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${app};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${app};
ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${app};
ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${app};

-- The audit log: insert and read only (the append-only trigger refuses the rest to everyone but the owner).
REVOKE UPDATE, DELETE, TRUNCATE ON ${AUDIT_INSERT_ONLY.join(', ')} FROM ${app};
-- Migration bookkeeping belongs to the owner.
REVOKE INSERT, UPDATE, DELETE ON schema_migration FROM ${app};
`;
}
