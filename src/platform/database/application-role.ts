import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';

/** Tables the application reads and appends to but never changes: the audit log. */
const APPEND_ONLY = ['audit_event'];
/**
 * Read only: the migrations table (the application checks that it is migrated, it never migrates)
 * and the audit chain heads (the owner's trigger moves them; `audit verify` reads them).
 */
const READ_ONLY = ['typeorm_migrations', 'audit_chain_head'];

/** The role name of a postgres:// URL, or undefined when the URL names none (libpq defaults then). */
export function roleOfUrl(url: string): string | undefined {
  const user = new URL(url).username;
  return user ? decodeURIComponent(user) : undefined;
}

/**
 * Gives the application's role (DATABASE_URL's user) exactly the rights it needs on the schema the
 * owner just migrated: rows of the data tables (SELECT, INSERT, UPDATE, DELETE), SELECT and INSERT
 * on the audit log, SELECT on the chain heads, no TRUNCATE, no DDL, and not ownership of anything,
 * so it can neither disable the audit triggers nor drop the table. Run by the owner after every
 * migration, so tables that later migrations add are covered. Idempotent.
 */
export async function grantApplicationRole(owner: DataSource, appRole: string, log: Logger): Promise<void> {
  const role = quoteIdent(appRole);
  const list = (names: string[]) => names.map(quoteIdent).join(', ');
  await owner.transaction(async (m) => {
    await m.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await m.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await m.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await m.query(`REVOKE UPDATE, DELETE ON ${list(APPEND_ONLY)} FROM ${role}`);
    await m.query(`REVOKE INSERT, UPDATE, DELETE ON ${list(READ_ONLY)} FROM ${role}`);
    await m.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  });
  // The job queue (pg-boss) creates a table per queue and attaches it to its own: it must own its
  // schema. It holds job payloads (ids), never patient data or the audit log.
  const [queueSchema] = (await owner.query(
    `SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = 'pgboss'`,
  )) as { owner: string }[];
  if (!queueSchema) {
    await owner
      .query(`CREATE SCHEMA pgboss AUTHORIZATION ${role}`)
      .catch((error: Error) =>
        log.warn(
          { role: appRole, reason: error.message },
          `cannot create the job queue's schema for ${appRole}: run "CREATE SCHEMA pgboss AUTHORIZATION ${appRole}" as a superuser (see README, "Database roles")`,
        ),
      );
  }
  const owned = (await owner.query(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_get_userbyid(c.relowner) = $1`,
    [appRole],
  )) as { relname: string }[];
  if (owned.length > 0) {
    log.warn(
      { role: appRole, tables: owned.map((t) => t.relname) },
      `${appRole} owns tables of the schema, so it could still change the audit log: make the owner role own them (ALTER TABLE … OWNER TO, or REASSIGN OWNED BY ${appRole} TO <owner> as a superuser)`,
    );
  }
}

/**
 * True when the connection's role could change or drop the audit log (it owns the table, is a
 * member of its owner, or is a superuser): then the append-only triggers protect against mistakes,
 * not against a compromised application.
 */
export async function canTamperWithAuditLog(ds: DataSource): Promise<boolean> {
  const [row] = (await ds.query(
    `SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
         OR pg_has_role(current_user, c.relowner, 'USAGE') AS can
       FROM pg_class c WHERE c.oid = to_regclass('public.audit_event')`,
  )) as { can: boolean }[];
  return row?.can ?? false;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
