import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Clinic, User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newFrame, newMember } from '../helpers/factories';
import { createTestApi, type TestApi } from '../helpers/graphql-client';
import { newImportRun, newScoringRun } from '../helpers/graphql-factories';

/**
 * Pagination cursors are positions inside the caller's own list. A cursor that names another
 * clinic's cycle, scoring run, import run or frame must answer exactly as a random cursor does,
 * or the page would tell where (when) that record sits among the caller's rows.
 */
let db: TestDatabase;
let ds: DataSource;
let t: TestApi;
let own: Clinic;
let admin: User;
let ownEmbryoId: string;
const foreign: Record<'cycle' | 'scoring-run' | 'import-run' | 'frame', string> = {} as never;
const ownIds: Record<'cycle' | 'scoring-run' | 'import-run' | 'frame', string[]> = {
  cycle: [],
  'scoring-run': [],
  'import-run': [],
  frame: [],
};

const cursor = (kind: string, key: string) => Buffer.from(`${kind}:${key}`, 'utf8').toString('base64url');

beforeAll(async () => {
  db = await createTestDatabase();
  ds = db.dataSource;
  t = await createTestApi(db);
  own = await newClinic(ds);
  admin = await newMember(ds, own, 'ADMIN');
  // Older rows of the caller's clinic, then newer ones of another clinic: a foreign cursor that
  // were resolved would put every row of the caller's clinic "after" it.
  for (let i = 0; i < 3; i++) {
    ownIds.cycle.push((await newCycle(ds, own, { externalId: `OWN-${i}` })).id);
    ownIds['scoring-run'].push((await newScoringRun(ds, own)).id);
    ownIds['import-run'].push((await newImportRun(ds, own)).id);
  }
  const embryo = await newEmbryo(ds, await newCycle(ds, own, { externalId: 'OWN-FRAMES' }));
  ownEmbryoId = embryo.id;
  for (const hpi of [10, 20, 30]) ownIds.frame.push((await newFrame(ds, embryo, { hoursPostInsemination: hpi })).id);

  const other = await newClinic(ds);
  foreign.cycle = (await newCycle(ds, other, { externalId: 'THEIRS' })).id;
  foreign['scoring-run'] = (await newScoringRun(ds, other)).id;
  foreign['import-run'] = (await newImportRun(ds, other)).id;
  foreign.frame = (await newFrame(ds, await newEmbryo(ds, await newCycle(ds, other)), { hoursPostInsemination: 5 })).id;
});
afterAll(async () => {
  await t.stop();
  await db.destroy();
});

const LISTS = [
  {
    kind: 'cycle' as const,
    query: `query($c: ID!, $after: String) { cycles(clinicId: $c, after: $after) { edges { cursor } pageInfo { hasNextPage } } }`,
    pick: (data: any) => data.cycles,
  },
  {
    kind: 'scoring-run' as const,
    query: `query($c: ID!, $after: String) { scoringRuns(clinicId: $c, after: $after) { edges { cursor } pageInfo { hasNextPage } } }`,
    pick: (data: any) => data.scoringRuns,
  },
  {
    kind: 'import-run' as const,
    query: `query($c: ID!, $after: String) { importRuns(clinicId: $c, after: $after) { edges { cursor } pageInfo { hasNextPage } } }`,
    pick: (data: any) => data.importRuns,
  },
  {
    kind: 'frame' as const,
    query: `query($e: ID!, $after: String) { embryo(id: $e) { frames(after: $after) { edges { cursor } pageInfo { hasNextPage } } } }`,
    pick: (data: any) => data.embryo.frames,
  },
];

describe.each(LISTS)('the $kind cursor', ({ kind, query, pick }) => {
  const page = async (after: string) => {
    const result = await t.gql(query, { c: own.id, e: ownEmbryoId, after }, admin);
    expect(result.errors).toBeUndefined();
    return pick(result.data);
  };
  const randomKey = () => (kind === 'frame' ? String(900_000_000 + Math.floor(Math.random() * 1e6)) : randomUUID());

  it('of another clinic answers exactly as a random cursor: an empty page', async () => {
    const random = await page(cursor(kind, randomKey()));
    expect(random).toEqual({ edges: [], pageInfo: { hasNextPage: false } });
    expect(await page(cursor(kind, foreign[kind]))).toEqual(random);
  });

  it('of the caller’s own list still pages on from that row', async () => {
    const all = await t.gql(query, { c: own.id, e: ownEmbryoId, after: null }, admin);
    const edges = pick(all.data).edges as { cursor: string }[];
    expect(edges.length).toBeGreaterThanOrEqual(3);
    const next = await page(edges[0].cursor);
    expect(next.edges.map((e: { cursor: string }) => e.cursor)).toEqual(edges.slice(1).map((e) => e.cursor));
  });
});
