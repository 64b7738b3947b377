import { validate as isValidCron } from 'node-cron';
import { resolve } from 'node:path';
import { ConfigError } from './errors';

/** Everything the processes read from the environment, validated once at start. */
export interface AppConfig {
  /** A PostgreSQL URL, or undefined to run the embedded server under `dataDir/postgres`. */
  databaseUrl: string | undefined;
  /** Where local state lives: embedded database, generated JWT secret. */
  dataDir: string;
  embeddedPostgresPort: number;
  port: number;
  /** Undefined means "generate one and keep it under dataDir" (with a warning). */
  jwtSecret: string | undefined;
  jwtTtlSeconds: number;
  /** A session (one password sign-in) ends this long after the sign-in, however often its token is renewed. */
  sessionMaxAgeSeconds: number;
  /** Failed sign-ins counted per e-mail and per client address in a sliding window (README "Sign-in limits"). */
  loginRateLimits: { windowSeconds: number; maxFailuresPerEmail: number; maxFailuresPerAddress: number };
  scoringCron: string;
  ortExecutionProviders: ExecutionProvider[];
  inferenceMaxBatch: number;
  logLevel: LogLevel;
  production: boolean;
  oidc: OidcConfig | undefined;
  /**
   * Express "trust proxy": the reverse proxies (addresses/subnets) allowed to set X-Forwarded-For,
   * so the per-address login limit sees the client and not the proxy. false (default) or a list:
   * never "any proxy", so a client cannot choose its own address with a forged header.
   */
  trustProxy: false | string[];
  /** When set, GET /metrics requires `Authorization: Bearer <token>`; in production it is required (else 401). */
  metricsToken: string | undefined;
  /** DICOM tag (8 hex digits, e.g. 00091010) holding the focal plane when the standard one is absent. */
  dicomFocalPlaneTag: string | undefined;
  /** Largest image decoded (import, frame route, scoring), in megapixels: a bound on decode memory. */
  imageMaxMegapixels: number;
  /**
   * DATABASE_OWNER_URL (or MIGRATION_DATABASE_URL): the role that owns the tables and runs the
   * migrations, while DATABASE_URL's role only reads and writes rows. Undefined: one role does both.
   */
  databaseOwnerUrl: string | undefined;
  /** statement_timeout of the API's queries in milliseconds (0: none). */
  apiStatementTimeoutMs: number;
  /**
   * Connections of the application's pool (DATABASE_POOL_SIZE, default 10): more only queue in
   * PostgreSQL for the same cores; bench:api measures it (README "Speed").
   */
  databasePoolSize: number;
  /**
   * GraphQL schema introspection, for every caller including those without a token
   * (GRAPHQL_INTROSPECTION): on by default outside production, off in production unless set.
   */
  graphqlIntrospection: boolean;
  /** Reliability (README "Failures and recovery"): seconds without a heartbeat after which a process counts as dead. */
  workerLeaseSeconds: number;
  /** Seconds between two sweeps for the work of dead processes. */
  sweepIntervalSeconds: number;
  /** On shutdown, seconds a running job may take to finish before it is handed back to the queue. */
  workerDrainSeconds: number;
  /** Seconds an import waits for a database that went away (a restart) before it stops with a report. */
  databaseWaitSeconds: number;
  /** Import sources (IMPORT_ROOTS, IMPORT_SETTLE_SECONDS, IMPORT_FAILURE_ALERT_AFTER). */
  importSources: ImportSourceSettings;
  /** DICOMweb STOW-RS request limits (STOW_MAX_MEGABYTES, STOW_MAX_INSTANCES). */
  stow: StowLimits;
}

export interface StowLimits {
  maxBytes: number;
  maxInstances: number;
}

/** Where import sources may point and how their scans behave. */
export interface ImportSourceSettings {
  /** Absolute folders an import source's path must lie inside (after resolving symlinks); none: no sources. */
  roots: string[];
  /** A file younger than this (by mtime), or whose size or mtime changed since the last tick, waits. */
  settleSeconds: number;
  /** After this many failed runs in a row a source writes an audit event and a warning. */
  failureAlertAfter: number;
}

export interface OidcConfig {
  issuer: string;
  /** Required: a token the provider issued for another application is refused. */
  audience: string;
  emailClaim: string;
}

export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function databaseUrl(env: Env, name = 'DATABASE_URL'): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a URL (expected postgres://user:password@host:5432/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must use postgres:// or postgresql:// (got "${url.protocol}")`);
  }
  return raw;
}

function databaseOwnerUrl(env: Env): string | undefined {
  const owner = databaseUrl(env, 'DATABASE_OWNER_URL') ?? databaseUrl(env, 'MIGRATION_DATABASE_URL');
  if (owner !== undefined && value(env, 'DATABASE_URL') === undefined) {
    throw new ConfigError('DATABASE_OWNER_URL', 'needs DATABASE_URL too (the role the application connects as)');
  }
  return owner;
}

function booleanFlag(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'on', 'yes'].includes(raw)) return true;
  if (['false', '0', 'off', 'no'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false (got "${raw}")`);
}

function executionProviders(env: Env): ExecutionProvider[] {
  const raw = value(env, 'ORT_EXECUTION_PROVIDERS') ?? 'cpu';
  const list = raw
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const unknown = list.filter((p) => !(EXECUTION_PROVIDERS as readonly string[]).includes(p));
  if (list.length === 0 || unknown.length > 0) {
    throw new ConfigError(
      'ORT_EXECUTION_PROVIDERS',
      `must be a comma-separated list of ${EXECUTION_PROVIDERS.join(', ')} (got "${raw}")`,
    );
  }
  return [...new Set(list)] as ExecutionProvider[];
}

function scoringCron(env: Env): string {
  const cron = value(env, 'SCORING_CRON') ?? '0 2 * * *';
  if (!isValidCron(cron)) throw new ConfigError('SCORING_CRON', `is not a valid cron expression (got "${cron}")`);
  return cron;
}

function jwtSecret(env: Env): string | undefined {
  const secret = value(env, 'JWT_SECRET');
  if (secret !== undefined && secret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters long');
  }
  return secret;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function oidc(env: Env): OidcConfig | undefined {
  const issuer = value(env, 'OIDC_ISSUER');
  if (issuer === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new ConfigError('OIDC_ISSUER', `is not a URL (got "${issuer}")`);
  }
  // keys fetched over plain HTTP could be swapped on the way: only a provider on this machine, in development
  const development = value(env, 'NODE_ENV') !== 'production' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && development)) {
    throw new ConfigError(
      'OIDC_ISSUER',
      `must be an https:// URL (http:// only for a provider on localhost outside production; got "${issuer}")`,
    );
  }
  const audience = value(env, 'OIDC_AUDIENCE');
  if (audience === undefined) {
    throw new ConfigError(
      'OIDC_AUDIENCE',
      "is required with OIDC_ISSUER (this API's client id at the provider): without it tokens issued for any other application would be accepted",
    );
  }
  return { issuer, audience, emailClaim: value(env, 'OIDC_EMAIL_CLAIM') ?? 'email' };
}

function trustProxy(env: Env): false | string[] {
  const raw = value(env, 'TRUST_PROXY');
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (raw.toLowerCase() === 'true' || /^\d+$/.test(raw)) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must name the proxy (addresses/subnets such as 10.0.0.0/8 or loopback), not "${raw}": any client could then choose its own address with X-Forwarded-For`,
    );
  }
  const list = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const valid = (p: string) =>
    ['loopback', 'linklocal', 'uniquelocal'].includes(p) || /^[0-9a-f.:]+(\/\d{1,3})?$/i.test(p);
  if (list.length === 0 || !list.every(valid)) {
    throw new ConfigError(
      'TRUST_PROXY',
      `must be false or the proxy's addresses/subnets such as 10.0.0.0/8,loopback (got "${raw}")`,
    );
  }
  return list;
}

export function dicomFocalPlaneTag(env: Env = process.env): string | undefined {
  const tag = value(env, 'DICOM_FOCAL_PLANE_TAG');
  if (tag === undefined) return undefined;
  const normalised = tag.replace(/[(),\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{8}$/.test(normalised)) {
    throw new ConfigError('DICOM_FOCAL_PLANE_TAG', `must be a tag like 0009,1010 (got "${tag}")`);
  }
  return normalised;
}

/**
 * IMAGE_MAX_MEGAPIXELS: incubator frames are about 0.25 MP (EmbryoScope 500×500) and DICOM tiles a
 * few; 64 MP leaves room for any real frame while bounding what one small compressed file can
 * make a decoder allocate. The ceiling is libvips' own default (16383², ≈268 MP).
 */
export function imageMaxMegapixels(env: Env = process.env): number {
  return integer(env, 'IMAGE_MAX_MEGAPIXELS', 64, 1, 268);
}

/**
 * IMPORT_ROOTS: absolute folders, separated by commas or colons; an import source's path must lie
 * inside one of them. Read by the services at start (like IMAGE_MAX_MEGAPIXELS) and validated here.
 */
export function importSourceSettings(env: Env = process.env): ImportSourceSettings {
  const raw = value(env, 'IMPORT_ROOTS');
  const roots = (raw ?? '')
    .split(/[,:]/)
    .map((r) => r.trim())
    .filter(Boolean);
  const relative = roots.find((r) => !r.startsWith('/'));
  if (relative !== undefined) throw new ConfigError('IMPORT_ROOTS', `must list absolute folders (got "${relative}")`);
  return {
    roots: roots.map((r) => resolve(r)),
    settleSeconds: integer(env, 'IMPORT_SETTLE_SECONDS', 30, 0, 24 * 3600),
    failureAlertAfter: integer(env, 'IMPORT_FAILURE_ALERT_AFTER', 3, 1, 1000),
  };
}

export function stowLimits(env: Env = process.env): StowLimits {
  return {
    maxBytes: integer(env, 'STOW_MAX_MEGABYTES', 256, 1, 4096) * 1024 * 1024,
    maxInstances: integer(env, 'STOW_MAX_INSTANCES', 500, 1, 100_000),
  };
}

/** Reads and validates the configuration; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  return {
    databaseUrl: databaseUrl(env),
    dataDir: resolve(value(env, 'DATA_DIR') ?? '.data'),
    embeddedPostgresPort: integer(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    port: integer(env, 'PORT', 4000, 0, 65535),
    jwtSecret: jwtSecret(env),
    jwtTtlSeconds: integer(env, 'JWT_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    sessionMaxAgeSeconds: integer(env, 'SESSION_MAX_AGE_SECONDS', 12 * 3600, 300, 30 * 24 * 3600),
    loginRateLimits: {
      windowSeconds: integer(env, 'LOGIN_WINDOW_SECONDS', 15 * 60, 10, 24 * 3600),
      maxFailuresPerEmail: integer(env, 'LOGIN_MAX_FAILURES_PER_EMAIL', 5, 1, 1000),
      maxFailuresPerAddress: integer(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 100_000),
    },
    scoringCron: scoringCron(env),
    ortExecutionProviders: executionProviders(env),
    inferenceMaxBatch: integer(env, 'INFERENCE_MAX_BATCH', 4, 1, 1024),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    production: value(env, 'NODE_ENV') === 'production',
    oidc: oidc(env),
    trustProxy: trustProxy(env),
    metricsToken: value(env, 'METRICS_TOKEN'),
    dicomFocalPlaneTag: dicomFocalPlaneTag(env),
    imageMaxMegapixels: imageMaxMegapixels(env),
    databaseOwnerUrl: databaseOwnerUrl(env),
    apiStatementTimeoutMs: integer(env, 'API_STATEMENT_TIMEOUT_MS', 30_000, 0, 3_600_000),
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 500),
    graphqlIntrospection: booleanFlag(env, 'GRAPHQL_INTROSPECTION', value(env, 'NODE_ENV') !== 'production'),
    workerLeaseSeconds: integer(env, 'WORKER_LEASE_SECONDS', 30, 2, 3600),
    sweepIntervalSeconds: integer(env, 'SWEEP_INTERVAL_SECONDS', 15, 1, 3600),
    workerDrainSeconds: integer(env, 'WORKER_DRAIN_SECONDS', 25, 1, 3600),
    databaseWaitSeconds: integer(env, 'DATABASE_WAIT_SECONDS', 120, 0, 24 * 3600),
    importSources: importSourceSettings(env),
    stow: stowLimits(env),
  };
}
