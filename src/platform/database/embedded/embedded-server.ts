import { createServer } from 'node:net';
import { locateBinaries } from './binaries';
import { clusterState, linkCluster, locateCluster } from './cluster-location';
import type { EmbeddedLog } from './embedded-log';
import { initialiseCluster } from './initialise-cluster';
import { postmasterStatus, spawnServer, type ServerProcess } from './server-process';
import { serviceUserWhenRoot } from './service-user';
import { clearStaleLock } from './stale-lock';
import { cannotRun, EmbeddedPostgresError, explainServerOutput, portInUse, systemReason } from './start-failure';

export { EmbeddedPostgresError } from './start-failure';
export type { EmbeddedLog } from './embedded-log';

export interface EmbeddedServerOptions {
  /** The data folder; the cluster is its `postgres` folder, or where that links to (see locateCluster). */
  dataDir: string;
  port: number;
  /** Password of the `postgres` superuser, set when the cluster is created. */
  password: string;
  /** Extra initdb flags, e.g. --no-sync for throw-away test clusters. */
  initdbFlags?: string[];
  /** Extra server settings (`-c name=value`). */
  settings?: Record<string, string | number>;
  log: EmbeddedLog;
  /** How long a start (crash recovery included) may take before it is reported as failed. */
  readyTimeoutMs?: number;
}

export interface EmbeddedServer {
  /** Where the cluster's files are. */
  clusterDir: string;
  port: number;
  /** A connection URL for `database` as the superuser. */
  url(database?: string): string;
  /** Fast shutdown; resolves once the server has exited (at once if it already had). */
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL that ships as an npm package, on 127.0.0.1:`port`, with its cluster kept
 * under `dataDir`. As root it runs as the `postgres` system user, with binaries and data where that
 * user can reach them (see locateBinaries and locateCluster). Every failure to start is an
 * EmbeddedPostgresError whose message is one line: why, and what to do.
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  try {
    return await start(options);
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) throw error;
    // A cause not foreseen above still gets one line; its stack goes to the debug log.
    options.log.debug({ err: error }, 'embedded PostgreSQL start failed');
    throw new EmbeddedPostgresError(systemReason(error));
  }
}

async function start(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const { port, log } = options;
  const user = await serviceUserWhenRoot();
  const binaries = await locateBinaries(user, log);
  const location = await locateCluster(options.dataDir, user, log);
  const existing = (await clusterState(location.dir)) === 'cluster';
  // A server of this cluster that still runs also holds the port: name that first, the more precise cause.
  if (existing) await clearStaleLock(location.dir, log);
  if (!(await portIsFree(port))) throw portInUse(port);
  if (!existing) {
    await initialiseCluster(
      binaries,
      location.dir,
      { password: options.password, port, initdbFlags: options.initdbFlags ?? [] },
      user,
      log,
    );
  }
  await linkCluster(location);

  // Loopback TCP only: no Unix socket, so no clash with other servers' socket files in /tmp.
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  const args = [
    '-D',
    location.dir,
    '-p',
    String(port),
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
  const server = await spawnServer(binaries.postgres, args, user, log);
  await waitUntilReady(server, location.dir, options.readyTimeoutMs ?? 300_000).catch(async (error: unknown) => {
    await server.stop(5_000);
    if (error instanceof EmbeddedPostgresError) throw error;
    const exit = await server.exited;
    if (exit.error) throw cannotRun(binaries.postgres, exit.error, user?.name);
    throw explainServerOutput('postgres', exit.output, { port, clusterDir: location.dir });
  });

  let stopping = false;
  void server.exited.then(({ code, signal }) => {
    if (!stopping) log.error({ code, signal, clusterDir: location.dir }, 'embedded PostgreSQL stopped unexpectedly');
  });
  log.info({ port, clusterDir: location.dir, runAs: user?.name }, 'embedded PostgreSQL running');
  return {
    clusterDir: location.dir,
    port,
    url: (database = 'postgres') =>
      `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${database}`,
    stop: () => {
      stopping = true;
      return server.stop();
    },
  };
}

/** Waits for postmaster.pid to say "ready" for this server; rejects (plainly) when the server exits first. */
async function waitUntilReady(server: ServerProcess, clusterDir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.hasExited()) throw new Error('exited');
    const status = await postmasterStatus(clusterDir);
    if (status?.pid === server.pid && status?.status === 'ready') return;
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `the server did not accept connections within ${Math.round(timeoutMs / 1000)} s`,
        'Run with LOG_LEVEL=debug to see what it is doing (a long crash recovery?), or set DATABASE_URL.',
      );
    }
    await Promise.race([new Promise((r) => setTimeout(r, 50)), server.exited]);
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'EADDRINUSE'));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}
