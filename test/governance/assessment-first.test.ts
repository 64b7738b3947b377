import type { DataSource } from 'typeorm';
import { AuditEvent, type Clinic, type Cycle, type Embryo, type ModelVersion, type User } from '../../src/entities';
import { ASSESSMENT_FIRST_NOTICE } from '../../src/graphql/access/scoped-data';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { enableModel, newModelVersion, newPredictions } from '../helpers/graphql-factories';

/*
 * "Assessment first" (issue #16): in a clinic that turned it on, an embryo's scores are hidden from
 * EMBRYOLOGIST and CLINICIAN by every path (trajectory, latest score, ranking, the embryo page's
 * data) until an embryologist recorded an assessment of it; ADMINs see them always; clinics
 * without the setting show them to everybody.
 */
let db: TestDatabase;
let ds: DataSource;
let t: TestApi;
let clinic: Clinic;
let other: Clinic;
let users: Record<'ADMIN' | 'EMBRYOLOGIST' | 'CLINICIAN' | 'AUDITOR' | 'OTHER_ADMIN', User>;
let model: ModelVersion;
let cycle: Cycle;
let embryos: Embryo[];

const EVERY_PATH = `query($cycle: ID!, $embryo: ID!) {
  cycle(id: $cycle) { ranking { label entries { rank withheld embryo { id } score { value } } } }
  embryo(id: $embryo) {
    scoreWithheld
    latestScore { value label }
    trajectory { label points { probability } }
    frames(first: 1) { edges { node { id } } }
    assessment { grade decision }
  }
}`;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = db.dataSource;
  t = await createTestApi(db);
  clinic = await newClinic(ds);
  other = await newClinic(ds);
  users = {
    ADMIN: await newMember(ds, clinic, 'ADMIN'),
    EMBRYOLOGIST: await newMember(ds, clinic, 'EMBRYOLOGIST'),
    CLINICIAN: await newMember(ds, clinic, 'CLINICIAN'),
    AUDITOR: await newMember(ds, clinic, 'AUDITOR'),
    OTHER_ADMIN: await newMember(ds, other, 'ADMIN'),
  };
  model = await newModelVersion(ds, { trained: true });
  await enableModel(ds, clinic, model, { active: true });
  cycle = await newCycle(ds, clinic);
  embryos = [];
  for (const [i, p] of [0.2, 0.8, 0.5].entries()) {
    const embryo = await newEmbryo(ds, cycle, { label: `A${i + 1}` });
    await newPredictions(ds, embryo, model, 10, (k) => (k === 9 ? p : 0.3));
    embryos.push(embryo);
  }
});
afterAll(async () => {
  await t?.stop();
  await db?.destroy();
});

const setting = (enabled: boolean, as: User, clinicId = clinic.id) =>
  t.gql(
    'mutation($c: ID!, $on: Boolean!) { setAssessmentFirst(clinicId: $c, enabled: $on) }',
    { c: clinicId, on: enabled },
    as,
  );

const view = (as: User, embryo = embryos[1]) => t.gql(EVERY_PATH, { cycle: cycle.id, embryo: embryo.id }, as);

const assess = (as: User, embryo: Embryo, decision: string, reason?: string) =>
  t.gql(
    'mutation($i: RecordAssessmentInput!) { recordAssessment(input: $i) { id grade decision againstModel reason modelRank modelRankOf } }',
    { i: { embryoId: embryo.id, grade: '4AA', decision, reason } },
    as,
  );

describe('assessment first', () => {
  it('shows scores to everybody while the clinic has it off', async () => {
    for (const role of ['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN'] as const) {
      const r = await view(users[role]);
      expect(r.errors).toBeUndefined();
      expect(r.data.embryo.scoreWithheld).toBeNull();
      expect(r.data.embryo.latestScore.value).toBe(0.8);
      expect(r.data.embryo.trajectory.points).toHaveLength(10);
      expect(r.data.cycle.ranking.entries.map((e: { rank: number }) => e.rank)).toEqual([1, 2, 3]);
    }
  });

  it('may be switched by the clinic ADMIN only (embryologist FORBIDDEN, another clinic NOT_FOUND), audited', async () => {
    expect(codes(await setting(true, users.EMBRYOLOGIST))).toEqual(['FORBIDDEN']);
    expect(codes(await setting(true, users.CLINICIAN))).toEqual(['FORBIDDEN']);
    expect(codes(await setting(true, users.OTHER_ADMIN))).toEqual(['NOT_FOUND']);
    const on = await setting(true, users.ADMIN);
    expect(on.errors).toBeUndefined();
    expect(on.data.setAssessmentFirst).toBe(true);
    const event = await ds
      .getRepository(AuditEvent)
      .findOneOrFail({ where: { action: 'GOVERNANCE_SETTINGS_CHANGED', clinicId: clinic.id }, order: { id: 'DESC' } });
    expect(event).toMatchObject({ userId: users.ADMIN.id, detail: { assessmentFirst: { from: false, to: true } } });
    const read = await t.gql(
      'query($c: ID!) { clinic(id: $c) { assessmentFirst } }',
      { c: clinic.id },
      users.CLINICIAN,
    );
    expect(read.data.clinic.assessmentFirst).toBe(true);
  });

  it('hides an unassessed embryo’s scores from EMBRYOLOGIST and CLINICIAN by every path, frames stay', async () => {
    for (const role of ['EMBRYOLOGIST', 'CLINICIAN'] as const) {
      const r = await view(users[role]);
      expect(r.errors).toBeUndefined();
      expect(r.data.embryo).toMatchObject({
        scoreWithheld: ASSESSMENT_FIRST_NOTICE,
        latestScore: null,
        trajectory: null,
        assessment: null,
      });
      expect(r.data.embryo.frames.edges).toEqual([]); // the embryo page's other data is still served
      const entries = r.data.cycle.ranking.entries;
      // nothing ranked: every embryo is unassessed, so none of their positions may reveal a score
      expect(entries.map((e: { rank: number | null; score: unknown }) => [e.rank, e.score])).toEqual([
        [null, null],
        [null, null],
        [null, null],
      ]);
      expect(entries.map((e: { embryo: { id: string } }) => e.embryo.id)).toEqual(embryos.map((e) => e.id)); // by label
      expect(entries.every((e: { withheld: string }) => e.withheld === ASSESSMENT_FIRST_NOTICE)).toBe(true);
      // an explicit model id does not get around it
      const explicit = await t.gql(
        'query($e: ID!, $m: ID) { embryo(id: $e) { latestScore(modelId: $m) { value } trajectory(modelId: $m) { label } } }',
        { e: embryos[1].id, m: model.id },
        users[role],
      );
      expect(explicit.data.embryo).toEqual({ latestScore: null, trajectory: null });
    }
  });

  it('keeps showing them to the clinic ADMIN (quality manager)', async () => {
    const r = await view(users.ADMIN);
    expect(r.data.embryo.scoreWithheld).toBeNull();
    expect(r.data.embryo.latestScore.value).toBe(0.8);
    expect(r.data.cycle.ranking.entries.map((e: { rank: number }) => e.rank)).toEqual([1, 2, 3]);
  });

  it('shows the score beside the assessment once an embryologist assessed the embryo', async () => {
    const recorded = await assess(users.EMBRYOLOGIST, embryos[1], 'FREEZE');
    expect(recorded.errors).toBeUndefined();
    for (const role of ['EMBRYOLOGIST', 'CLINICIAN'] as const) {
      const r = await view(users[role]);
      expect(r.data.embryo).toMatchObject({
        scoreWithheld: null,
        latestScore: { value: 0.8 },
        assessment: { grade: '4AA', decision: 'FREEZE' },
      });
      expect(r.data.embryo.trajectory.points).toHaveLength(10);
      // the assessed embryo is ranked (among what the caller may see), the two others stay withheld
      const entries = r.data.cycle.ranking.entries;
      expect(entries[0]).toMatchObject({
        rank: 1,
        withheld: null,
        embryo: { id: embryos[1].id },
        score: { value: 0.8 },
      });
      expect(entries.slice(1).map((e: { rank: number | null }) => e.rank)).toEqual([null, null]);
      const unassessed = await view(users[role], embryos[0]);
      expect(unassessed.data.embryo.latestScore).toBeNull();
    }
  });

  it('shows everything again once switched off', async () => {
    expect((await setting(false, users.ADMIN)).data.setAssessmentFirst).toBe(false);
    const r = await view(users.CLINICIAN, embryos[0]);
    expect(r.data.embryo.latestScore.value).toBe(0.2);
    expect(r.data.cycle.ranking.entries.map((e: { rank: number }) => e.rank)).toEqual([1, 2, 3]);
  });
});
