/**
 * What the audit log's hash chain costs an append: the same inserts with the chain trigger on
 * (as shipped) and off (as before migration 1764190003000), through the repositories the services
 * use: one event per transaction (a read audited on its own), and concurrent appends of one clinic
 * (they queue behind its chain head) against appends spread over clinics (they do not).
 *
 *   node dist/bench/audit-append.js [--events 2000] [--clients 8]
 *   DATABASE_URL=postgres://… uses that server (a throw-away database is created and dropped);
 *   otherwise an embedded PostgreSQL starts in a temp folder.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '../migrations';
import { AuditHashChain1764190003000 } from '../migrations/1764190003000-audit-hash-chain';
import { AuditAction, ENTITIES } from '../src/entities';
import { DataStore } from '../src/entities/repositories';
import { createDataSource, type DatabaseSchema } from '../src/platform/database/data-source';
import { startEmbeddedPostgres } from '../src/platform/database/embedded-postgres';
import { createLogger } from '../src/platform/logger';
import { freePort } from '../src/platform/net/free-port';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const EVENTS = arg('events', 2000);
const CLIENTS = arg('clients', 8);

async function main(): Promise<void> {
  const log = createLogger('warn');
  const scratch = await mkdtemp(join(tmpdir(), 'amsnet-bench-audit-'));
  await chmod(scratch, 0o755);
  let embedded: { ownerUrl: string; stop(): Promise<void> } | undefined;
  const dbName = `amsnet_bench_audit_${process.pid}`;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(join(scratch, 'db'), await freePort(), log);
    adminUrl = embedded.ownerUrl;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const databases: string[] = [];
  try {
    // Before: the migrations up to the chain's; after: all of them (as shipped).
    console.log(`${EVENTS} events per measurement, each in its own transaction`);
    for (const round of [1, 2]) {
      for (const [label, migrations] of [
        ['without the chain', MIGRATIONS.slice(0, MIGRATIONS.indexOf(AuditHashChain1764190003000))],
        ['with the chain', MIGRATIONS],
      ] as const) {
        const name = `${dbName}_${round}_${databases.length}`;
        await admin.query(`CREATE DATABASE ${name}`);
        databases.push(name);
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        await measure(url.toString(), [...migrations], `${label} (round ${round})`);
      }
    }
  } finally {
    for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    await embedded?.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function measure(url: string, migrations: DatabaseSchema['migrations'], label: string): Promise<void> {
  const ds = createDataSource({
    url,
    schema: { entities: ENTITIES, migrations },
    poolSize: CLIENTS + 1,
    applicationName: 'amsnet-bench-audit',
  });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const store = new DataStore(ds);
    const clinics = (
      (await ds.query(
        `INSERT INTO clinic (code, name) SELECT 'b' || g, 'Bench ' || g FROM generate_series(1, ${CLIENTS}) g RETURNING id`,
      )) as { id: string }[]
    ).map((c) => c.id);
    const actor = { userId: null, requestId: 'bench' };
    const append = (clinicId: string) =>
      store.transaction((tx) =>
        tx.audit.append(actor, {
          action: AuditAction.READ_CYCLE,
          entity: 'cycle',
          entityId: 'x',
          clinicId,
          detail: { n: 1 },
        }),
      );
    let t = performance.now();
    for (let i = 0; i < EVENTS; i++) await append(clinics[0]);
    const serial = (performance.now() - t) / EVENTS;
    const concurrent = async (clinicOf: (client: number) => string) => {
      t = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          for (let i = 0; i < EVENTS / CLIENTS; i++) await append(clinicOf(c));
        }),
      );
      return (EVENTS / (performance.now() - t)) * 1000;
    };
    const oneClinic = await concurrent(() => clinics[0]);
    const spread = await concurrent((c) => clinics[c]);
    console.log(
      `${label.padEnd(28)} one at a time ${serial.toFixed(3)} ms/event | ${CLIENTS} clients, one clinic ${oneClinic.toFixed(0)} events/s | ${CLIENTS} clients, ${CLIENTS} clinics ${spread.toFixed(0)} events/s`,
    );
  } finally {
    await ds.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
