import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';

/** Tables the application reads and appends to but never changes: the audit log. */
const APPEND_ONLY = ['audit_event'];
/**
 * Records the application adds to and corrects but never deletes (it deletes memberships and the
 * streaming state of scoring only): without DELETE, a compromised application cannot erase
 * patients, images, predictions or the history of runs. A table not named here (a later
 * migration's) gets the full row rights until it is listed.
 */
const NEVER_DELETED = [
  'clinic',
  'user',
  'patient',
  'cycle',
  'embryo',
  'embryo_phase',
  'frame_image',
  'frame',
  'model_version',
  'clinic_model',
  'scoring_run',
  'prediction',
  'import_run',
  'import_run_item',
  'ingested_dicom_instance',
];
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
 * owner just migrated: rows of the data tables (SELECT, INSERT, UPDATE; DELETE only where it
 * deletes), SELECT and INSERT on the audit log, SELECT on the chain heads, no TRUNCATE, no DDL, and not ownership of anything,
 * so it can neither disable the audit triggers nor drop the table. Run by the owner after every
 * migration, so tables that later migrations add are covered. Idempotent.
 */
export async function grantApplicationRole(owner: DataSource, appRole: string, log: Logger): Promise<void> {
  const role = quoteIdent(appRole);
  await owner.transaction(async (m) => {
    // After a revert some of these tables are gone: name only those that exist.
    const existing = new Set(
      ((await m.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)) as { tablename: string }[]).map(
        (t) => t.tablename,
      ),
    );
    const list = (names: string[]) =>
      names
        .filter((n) => existing.has(n))
        .map((n) => `public.${quoteIdent(n)}`)
        .join(', ');
    await m.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await m.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await m.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    if (list(APPEND_ONLY)) await m.query(`REVOKE UPDATE, DELETE ON ${list(APPEND_ONLY)} FROM ${role}`);
    if (list(NEVER_DELETED)) await m.query(`REVOKE DELETE ON ${list(NEVER_DELETED)} FROM ${role}`);
    if (list(READ_ONLY)) await m.query(`REVOKE INSERT, UPDATE, DELETE ON ${list(READ_ONLY)} FROM ${role}`);
    await m.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
  });
  await prepareQueueSchema(owner, appRole, log);
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

/**
 * The job queue (pg-boss) creates a table per queue and attaches it to its own: the application's
 * role must own the queue's schema. pg-boss installs it on its first start with CREATE SCHEMA IF
 * NOT EXISTS, which PostgreSQL allows only with CREATE on the database, even when the schema exists:
 * granted until the queue is installed, revoked after. The queue holds job payloads (ids), never
 * patient data or the audit log.
 */
async function prepareQueueSchema(owner: DataSource, appRole: string, log: Logger): Promise<void> {
  const role = quoteIdent(appRole);
  const [state] = (await owner.query(
    `SELECT (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'pgboss') AS owner,
            to_regclass('pgboss.version') IS NOT NULL AS installed,
            current_database() AS database`,
  )) as { owner: string | null; installed: boolean; database: string }[];
  const database = quoteIdent(state.database);
  try {
    if (state.owner === null) await owner.query(`CREATE SCHEMA pgboss AUTHORIZATION ${role}`);
    if (state.installed) await owner.query(`REVOKE CREATE ON DATABASE ${database} FROM ${role}`);
    else await owner.query(`GRANT CREATE ON DATABASE ${database} TO ${role}`);
  } catch (error) {
    log.warn(
      { role: appRole, reason: (error as Error).message },
      `cannot prepare the job queue's schema for ${appRole}: as a superuser, run "CREATE SCHEMA pgboss AUTHORIZATION ${appRole}" and "GRANT CREATE ON DATABASE ${state.database} TO ${appRole}" (README, "Database roles")`,
    );
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
