import type { DataSource } from 'typeorm';
import { AuditEvent, type Clinic, type ModelVersion, type User } from '../../src/entities';
import { UNTRAINED_WARNING } from '../../src/inference/provenance';
import { clinicianApi, type ClinicianApi } from '../helpers/clinician-api';
import { newClinic, newCycle, newEmbryo, newMember, newPatient } from '../helpers/factories';
import { codes, type TestApi } from '../helpers/graphql-client';
import { enableModel, newModelVersion, newPredictions } from '../helpers/graphql-factories';

const CYCLE_VIEW = `query($id: ID!) {
  cycle(id: $id) {
    id externalId status patient { mrn }
    ranking {
      label warning provenance model { id }
      entries {
        rank
        score { value label warning provenance segment computedAt model { id sha256 } }
        embryo {
          id label outcome
          trajectory { warning label provenance model { id name version trained } points { segment hoursPostInsemination day probability imputed computedAt } }
        }
      }
    }
  }
}`;

let fixture: ClinicianApi;
let ds: DataSource;
let t: TestApi;
let clinic: Clinic;
let clinician: User;
let model: ModelVersion;

beforeAll(async () => {
  fixture = await clinicianApi();
  ({ ds, t, clinic, clinician, model } = fixture);
});
afterAll(async () => {
  await fixture?.stop();
});

/** A cycle of `n` embryos; embryo i has 28 points ending at probability (i+1)/(n+1), except the last (unscored). */
async function cycleWith(n: number) {
  const cycle = await newCycle(ds, clinic);
  const embryos = [];
  for (let i = 0; i < n; i++) {
    const embryo = await newEmbryo(ds, cycle, { label: `W${String(i).padStart(2, '0')}` });
    if (i < n - 1)
      await newPredictions(
        ds,
        embryo,
        model,
        28,
        (k) => (k === 27 ? (i + 1) / (n + 1) : 0.5),
        (k) => k === 3,
      );
    embryos.push(embryo);
  }
  return { cycle, embryos };
}

async function countQueries(run: () => Promise<unknown>): Promise<number> {
  return (await fixture.recorded(run)).sql.length;
}

describe('cycle view', () => {
  it('costs a constant number of SQL queries, whatever the number of embryos (no N+1)', async () => {
    const small = await cycleWith(3);
    const large = await cycleWith(12);
    let result: any;
    const token = await t.tokenFor(clinician); // outside the count: the helper reads the token version
    const few = await countQueries(async () => (result = await t.gql(CYCLE_VIEW, { id: small.cycle.id }, token)));
    expect(result.errors).toBeUndefined();
    const many = await countQueries(async () => (result = await t.gql(CYCLE_VIEW, { id: large.cycle.id }, token)));
    expect(result.errors).toBeUndefined();
    expect(result.data.cycle.ranking.entries).toHaveLength(12);
    expect(many).toBe(few);
    // auth (user with memberships); the cycle with its patient and its clinic's models and
    // oversight settings; the embryos with their trajectories of the ranking's model; the audit insert
    expect(many).toBe(4);
  });

  it('ranks embryos by latest score, unscored last and unranked, every number with its label', async () => {
    const { cycle, embryos } = await cycleWith(4);
    const result = await t.gql(CYCLE_VIEW, { id: cycle.id }, clinician);
    expect(result.errors).toBeUndefined();
    const ranking = result.data.cycle.ranking;
    expect(ranking).toMatchObject({
      label: `${model.name} 1 (imported)`,
      warning: null,
      provenance: 'imported',
      model: { id: model.id },
    });
    const entries = ranking.entries;
    expect(entries.map((e: { embryo: { id: string } }) => e.embryo.id)).toEqual([
      embryos[2].id,
      embryos[1].id,
      embryos[0].id,
      embryos[3].id,
    ]);
    expect(entries.map((e: { rank: number | null }) => e.rank)).toEqual([1, 2, 3, null]);
    expect(entries[0].score).toMatchObject({
      label: ranking.label,
      warning: null,
      provenance: 'imported',
      segment: 27,
      model: { id: model.id, sha256: model.sha256 },
    });
    expect(entries[0].score.value).toBeCloseTo(3 / 5);
    expect(entries[3].score).toBeNull();
    const trajectory = entries[0].embryo.trajectory;
    expect(trajectory.model).toEqual({ id: model.id, name: model.name, version: '1', trained: true });
    expect(trajectory.warning).toBeNull();
    expect(trajectory.label).toBe(ranking.label);
    expect(trajectory.points).toHaveLength(28);
    expect(trajectory.points[3]).toMatchObject({ segment: 3, hoursPostInsemination: 24, day: 1, imputed: true });
    expect(trajectory.points[4].imputed).toBe(false);
    expect(entries[3].embryo.trajectory.points).toEqual([]);
  });

  it('serves the compact trajectory (segments, probabilities, imputed) equal to its points', async () => {
    const { embryos } = await cycleWith(3);
    const embryoId = embryos[0].id;
    const result = await t.gql(
      `query($id: ID!) { embryo(id: $id) { trajectory { label segments probabilities imputed
        points { segment probability imputed } } } }`,
      { id: embryoId },
      clinician,
    );
    expect(result.errors).toBeUndefined();
    const tr = result.data.embryo.trajectory;
    expect(tr.points).toHaveLength(28);
    expect(tr.segments).toEqual(tr.points.map((p: { segment: number }) => p.segment));
    expect(tr.probabilities).toEqual(tr.points.map((p: { probability: number }) => p.probability));
    expect(tr.imputed).toEqual(tr.points.map((p: { imputed: boolean }) => p.imputed));
    expect(tr.imputed).toContain(true);
  });

  it('writes one READ_CYCLE audit event for the whole view, with user, clinic and request id', async () => {
    const { cycle } = await cycleWith(3);
    await t.gql(CYCLE_VIEW, { id: cycle.id }, clinician, 'req-cycle-view');
    const events = await ds.getRepository(AuditEvent).findBy({ requestId: 'req-cycle-view' });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'READ_CYCLE',
      entity: 'cycle',
      entityId: cycle.id,
      clinicId: clinic.id,
      userId: clinician.id,
    });
  });

  it('marks trajectories of an untrained model unmistakably', async () => {
    const other = await newClinic(ds);
    const untrained = await newModelVersion(ds, { trained: false });
    await enableModel(ds, other, untrained, { active: true });
    const embryo = await newEmbryo(ds, await newCycle(ds, other));
    await newPredictions(ds, embryo, untrained, 5);
    const result = await t.gql(
      'query($id: ID!) { embryo(id: $id) { trajectory { warning provenance model { trained } } latestScore { value warning provenance label } } }',
      { id: embryo.id },
      await newMember(ds, other, 'EMBRYOLOGIST'),
    );
    expect(result.data.embryo.trajectory).toEqual({
      warning: UNTRAINED_WARNING,
      provenance: 'random',
      model: { trained: false },
    });
    expect(result.data.embryo.latestScore).toMatchObject({ warning: UNTRAINED_WARNING, provenance: 'random' });
    expect(result.data.embryo.latestScore.label).toBe(`${untrained.name} 1 (random) — ${UNTRAINED_WARNING}`);
  });

  it('shows no trajectory when the clinic has no active model', async () => {
    const bare = await newClinic(ds);
    const embryo = await newEmbryo(ds, await newCycle(ds, bare));
    const result = await t.gql(
      'query($id: ID!) { embryo(id: $id) { trajectory { warning } latestScore { value } } }',
      { id: embryo.id },
      await newMember(ds, bare, 'ADMIN'),
    );
    expect(result.data.embryo).toEqual({ trajectory: null, latestScore: null });
  });
});

describe('cycles pagination', () => {
  let own: Clinic;
  let admin: User;
  beforeAll(async () => {
    own = await newClinic(ds);
    admin = await newMember(ds, own, 'ADMIN');
    const patient = await newPatient(ds, own, { mrn: 'MRN-PAGE' });
    for (let i = 0; i < 5; i++)
      await newCycle(ds, own, { patient, externalId: `P-${i}`, status: i === 4 ? 'CANCELLED' : 'ACTIVE' });
    await newCycle(ds, own, { externalId: 'OTHER-PATIENT' });
  });

  const PAGE = `query($c: ID!, $first: Int, $after: String, $status: CycleStatus, $mrn: String) {
    cycles(clinicId: $c, first: $first, after: $after, status: $status, patientMrn: $mrn) {
      edges { cursor node { externalId } } pageInfo { hasNextPage endCursor } } }`;

  it('walks every cycle once, newest first, in stable pages', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: any = await t.gql(PAGE, { c: own.id, first: 2, after }, admin);
      expect(result.errors).toBeUndefined();
      seen.push(...result.data.cycles.edges.map((e: any) => e.node.externalId));
      pages++;
      if (!result.data.cycles.pageInfo.hasNextPage) break;
      after = result.data.cycles.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['OTHER-PATIENT', 'P-4', 'P-3', 'P-2', 'P-1', 'P-0']);
  });

  it('filters by status and patient MRN', async () => {
    const cancelled: any = await t.gql(PAGE, { c: own.id, status: 'CANCELLED' }, admin);
    expect(cancelled.data.cycles.edges.map((e: any) => e.node.externalId)).toEqual(['P-4']);
    const byMrn: any = await t.gql(PAGE, { c: own.id, mrn: 'MRN-PAGE', status: 'ACTIVE' }, admin);
    expect(byMrn.data.cycles.edges.map((e: any) => e.node.externalId)).toEqual(['P-3', 'P-2', 'P-1', 'P-0']);
  });

  it('refuses a foreign cursor and page sizes out of range', async () => {
    const scoringCursor = Buffer.from('scoring-run:00000000-0000-0000-0000-000000000000').toString('base64url');
    expect(codes(await t.gql(PAGE, { c: own.id, after: scoringCursor }, admin))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.gql(PAGE, { c: own.id, after: 'garbage' }, admin))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.gql(PAGE, { c: own.id, first: 0 }, admin))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.gql(PAGE, { c: own.id, first: 101 }, admin))).toEqual(['BAD_USER_INPUT']);
  });
});
