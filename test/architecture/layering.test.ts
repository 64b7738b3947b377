import { join } from 'node:path';
import { areaOf, importsOf, sourceFiles, type ImportEdge } from './import-graph';

/**
 * The layering of src/ (DESIGN.md §3, README "Code layout"): arrows go down. Faces (graphql, cli, web)
 * → jobs (and the demo orchestration) → core (ingest, inference, accounts, auth, clinic-data) →
 * entities → platform; src/app assembles them and nothing imports it. Besides the arrows: only
 * repositories touch SQL, resolvers never see TypeORM, grants are minted by the access layer and by
 * privileged system access only, and privileged access never reaches the API.
 */
const ROOT = join(__dirname, '..', '..');

const CORE = ['ingest', 'inference', 'accounts', 'auth', 'clinic-data'];
/** What each area of src/ may import besides itself. */
const MAY_IMPORT: Record<string, string[]> = {
  platform: [],
  entities: ['platform'],
  auth: ['entities', 'platform'],
  accounts: ['auth', 'entities', 'platform'],
  'clinic-data': ['auth', 'entities', 'platform'],
  inference: ['auth', 'entities', 'platform'],
  ingest: ['clinic-data', 'auth', 'entities', 'platform'],
  jobs: [...CORE, 'entities', 'platform'],
  demo: ['jobs', ...CORE, 'entities', 'platform'],
  graphql: ['jobs', ...CORE, 'entities', 'platform'],
  cli: ['demo', 'jobs', ...CORE, 'entities', 'platform'],
  // serves the web app's bundle: the app itself (web/) talks to the faces over HTTP only
  web: ['platform'],
  app: ['graphql', 'cli', 'web', 'demo', 'jobs', ...CORE, 'entities', 'platform'],
};

type Rule = (edge: ImportEdge) => string | null;

const RULES: Rule[] = [
  // the arrows
  (e) => {
    const from = areaOf(e.from);
    const to = e.target ? (areaOf(`${e.target}/`) ?? areaOf(e.target)) : null;
    if (!from || !to || from === to) return null;
    if (!(from in MAY_IMPORT)) return `src/${from}/ is not a known layer: add it to MAY_IMPORT`;
    return MAY_IMPORT[from].includes(to) ? null : `src/${from} may not import src/${to}`;
  },
  // only repositories (and the database plumbing) run queries: elsewhere TypeORM is a type at most
  (e) => {
    if (e.specifier !== 'typeorm' || e.typeOnly) return null;
    return /^(src\/entities\/|src\/platform\/database\/)/.test(e.from)
      ? null
      : 'only src/entities and src/platform/database use TypeORM at run time';
  },
  // resolvers translate: no TypeORM, not even its types
  (e) =>
    e.from.startsWith('src/graphql/resolvers/') && e.specifier === 'typeorm'
      ? 'a resolver may not import TypeORM'
      : null,
  // the API reaches clinic rows through its per-request data layer only
  (e) => {
    if (!e.from.startsWith('src/graphql/') || !e.target?.startsWith('src/entities/repositories')) return null;
    if (e.from.startsWith('src/graphql/access/')) return null;
    return e.typeOnly && /^src\/graphql\/(api|context)\.ts$/.test(e.from)
      ? null
      : 'the API reads clinic rows through src/graphql/access only';
  },
  // grants are minted in two places
  (e) => {
    if (!e.target?.endsWith('src/auth/grants') || !e.names.some((n) => /^issue\w*Grant$/.test(n))) return null;
    return ['src/graphql/access/clinic-access.ts', 'src/auth/privileged-access.ts'].includes(e.from)
      ? null
      : 'only the access layer and privileged access issue grants';
  },
  // privileged system access is created by the composition root and never reaches the API
  (e) => {
    if (!e.target?.endsWith('src/auth/privileged-access')) return null;
    if (e.from.startsWith('src/graphql/')) return 'the API never holds privileged system access';
    return e.typeOnly || e.from.startsWith('src/app/') ? null : 'only src/app creates privileged system access';
  },
];

function violations(edges: ImportEdge[]): string[] {
  return edges.flatMap((e) =>
    RULES.map((rule) => rule(e))
      .filter((m): m is string => m !== null)
      .map((m) => `${e.from} → '${e.specifier}': ${m}`),
  );
}

describe('layering of src/', () => {
  it('imports only what its layer may import', () => {
    const edges = sourceFiles(join(ROOT, 'src')).flatMap((file) => importsOf(ROOT, file));
    expect(edges.length).toBeGreaterThan(500);
    expect(violations(edges)).toEqual([]);
  });

  it('catches each kind of violation (the check itself works)', () => {
    const check = (file: string, text: string) => violations(importsOf(ROOT, join(ROOT, file), text));
    expect(check('src/platform/http/x.ts', "import { createApi } from '../../graphql/api';")).toEqual([
      expect.stringContaining('src/platform may not import src/graphql'),
    ]);
    expect(check('src/entities/x.ts', "export { ImportService } from '../ingest/import.service';")).toEqual([
      expect.stringContaining('src/entities may not import src/ingest'),
    ]);
    expect(check('src/jobs/x.ts', "const app = require('../app/main');")).toEqual([
      expect.stringContaining('src/jobs may not import src/app'),
    ]);
    expect(check('src/graphql/resolvers/x.ts', "import type { DataSource } from 'typeorm';")).toEqual([
      expect.stringContaining('a resolver may not import TypeORM'),
    ]);
    expect(check('src/inference/x.ts', "import { In } from 'typeorm';")).toEqual([
      expect.stringContaining('only src/entities'),
    ]);
    expect(check('src/inference/x.ts', "import type { DataSource } from 'typeorm';")).toEqual([]);
    expect(check('src/graphql/resolvers/x.ts', "import { DataStore } from '../../entities/repositories';")).toEqual([
      expect.stringContaining('src/graphql/access only'),
    ]);
    expect(check('src/ingest/x.ts', "import { issueClinicGrant } from '../auth/grants';")).toEqual([
      expect.stringContaining('issue grants'),
    ]);
    expect(check('src/ingest/x.ts', "import type { ClinicGrant } from '../auth/grants';")).toEqual([]);
    expect(check('src/cli/x.ts', "import { PrivilegedAccess } from '../auth/privileged-access';")).toEqual([
      expect.stringContaining('only src/app'),
    ]);
    expect(check('src/graphql/x.ts', "import type { PrivilegedAccess } from '../auth/privileged-access';")).toEqual([
      expect.stringContaining('never holds privileged'),
    ]);
    expect(check('src/app/x.ts', "import { PrivilegedAccess } from '../auth/privileged-access';")).toEqual([]);
  });
});
