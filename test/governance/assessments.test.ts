import type { DataSource } from 'typeorm';
import { AuditEvent, Embryo, type Clinic, type Cycle, type ModelVersion, type User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { enableModel, newModelVersion, newPredictions } from '../helpers/graphql-factories';

/*
 * Embryologists' own assessments (grade, decision, reason against the model), who may record and
 * read them, their audit trail, and the agreement figures checked against hand counts.
 */
let db: TestDatabase;
let ds: DataSource;
let t: TestApi;
let clinic: Clinic;
let other: Clinic;
let users: Record<'ADMIN' | 'EMBRYOLOGIST' | 'SECOND' | 'CLINICIAN' | 'AUDITOR' | 'OTHER_ADMIN', User>;
let model: ModelVersion;

const RECORD =
  'mutation($i: RecordAssessmentInput!) { recordAssessment(input: $i) { id embryoId assessedBy grade decision againstModel reason modelVersionId modelRank modelRankOf } }';
const record = (as: User, embryo: Embryo, decision: string, reason?: string, grade = '4AA') =>
  t.gql(RECORD, { i: { embryoId: embryo.id, grade, decision, reason } }, as);

/** A cycle whose embryos' latest probabilities are `ps` (null: unscored), labelled E1, E2, … */
async function cycleWith(ps: Array<number | null>): Promise<{ cycle: Cycle; embryos: Embryo[] }> {
  const cycle = await newCycle(ds, clinic);
  const embryos: Embryo[] = [];
  for (const [i, p] of ps.entries()) {
    const embryo = await newEmbryo(ds, cycle, { label: `E${i + 1}` });
    if (p !== null) await newPredictions(ds, embryo, model, 4, (k) => (k === 3 ? p : 0.5));
    embryos.push(embryo);
  }
  return { cycle, embryos };
}

beforeAll(async () => {
  db = await createTestDatabase();
  ds = db.dataSource;
  t = await createTestApi(db);
  clinic = await newClinic(ds);
  other = await newClinic(ds);
  users = {
    ADMIN: await newMember(ds, clinic, 'ADMIN'),
    EMBRYOLOGIST: await newMember(ds, clinic, 'EMBRYOLOGIST'),
    SECOND: await newMember(ds, clinic, 'EMBRYOLOGIST'),
    CLINICIAN: await newMember(ds, clinic, 'CLINICIAN'),
    AUDITOR: await newMember(ds, clinic, 'AUDITOR'),
    OTHER_ADMIN: await newMember(ds, other, 'ADMIN'),
  };
  model = await newModelVersion(ds, { trained: true });
  await enableModel(ds, clinic, model, { active: true });
});
afterAll(async () => {
  await t?.stop();
  await db?.destroy();
});

describe('recording an assessment', () => {
  it('is for ADMIN and EMBRYOLOGIST; CLINICIAN and AUDITOR are FORBIDDEN, another clinic NOT_FOUND', async () => {
    const { embryos } = await cycleWith([0.9, 0.3]);
    expect(codes(await record(users.CLINICIAN, embryos[0], 'FREEZE'))).toEqual(['FORBIDDEN']);
    expect(codes(await record(users.AUDITOR, embryos[0], 'FREEZE'))).toEqual(['FORBIDDEN']);
    expect(codes(await record(users.OTHER_ADMIN, embryos[0], 'FREEZE'))).toEqual(['NOT_FOUND']);
    expect(
      await ds.query('SELECT count(*)::int AS n FROM embryo_assessment WHERE embryo_id = $1', [embryos[0].id]),
    ).toEqual([{ n: 0 }]);
    const byEmbryologist = await record(users.EMBRYOLOGIST, embryos[0], 'TRANSFER');
    expect(byEmbryologist.errors).toBeUndefined();
    expect(byEmbryologist.data.recordAssessment).toMatchObject({
      embryoId: embryos[0].id,
      assessedBy: users.EMBRYOLOGIST.id,
      grade: '4AA',
      decision: 'TRANSFER',
      againstModel: false,
      reason: null,
      modelVersionId: model.id,
      modelRank: 1,
      modelRankOf: 2,
    });
    expect((await record(users.ADMIN, embryos[1], 'KEEP_IN_CULTURE')).errors).toBeUndefined();
  });

  it("asks for a reason when the decision goes against the model's ranking, and stores it", async () => {
    const { embryos } = await cycleWith([0.9, 0.3, null]);
    // transferring the model's second choice
    const refused = await record(users.EMBRYOLOGIST, embryos[1], 'TRANSFER');
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0].message).toMatch(
      /goes against the model's ranking \(rank 2 of 2 in the cycle\): give a reason/,
    );
    // discarding its first choice
    expect(codes(await record(users.EMBRYOLOGIST, embryos[0], 'DISCARD'))).toEqual(['BAD_USER_INPUT']);
    expect(
      await ds.query(
        'SELECT count(*)::int AS n FROM embryo_assessment e JOIN embryo x ON x.id = e.embryo_id WHERE x.cycle_id = $1',
        [embryos[0].cycleId],
      ),
    ).toEqual([{ n: 0 }]);
    const withReason = await record(users.EMBRYOLOGIST, embryos[1], 'TRANSFER', 'better morphology on day 5');
    expect(withReason.data.recordAssessment).toMatchObject({
      againstModel: true,
      reason: 'better morphology on day 5',
      modelRank: 2,
    });
    // freezing the second choice, or deciding on an embryo the model never scored, is against nothing
    expect((await record(users.EMBRYOLOGIST, embryos[2], 'TRANSFER')).data.recordAssessment).toMatchObject({
      againstModel: false,
      modelRank: null,
      modelVersionId: null,
    });
  });

  it('refuses a bad grade or decision with a clear message', async () => {
    const { embryos } = await cycleWith([0.5]);
    expect((await record(users.EMBRYOLOGIST, embryos[0], 'FREEZE', undefined, '  ')).errors![0].message).toMatch(
      /grade must be 1–40 characters/,
    );
    const sell = await t.gql(
      `mutation { recordAssessment(input: { embryoId: "${embryos[0].id}", grade: "4AA", decision: SELL }) { id } }`,
      {},
      users.EMBRYOLOGIST,
    );
    expect(codes(sell)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(sell.errors![0].message).toMatch(/AssessmentDecision/);
  });

  it('audits each assessment with decision, reason and the model’s rank', async () => {
    const { embryos } = await cycleWith([0.2, 0.7]);
    await t.gql(
      RECORD,
      { i: { embryoId: embryos[0].id, grade: '3BB', decision: 'TRANSFER', reason: 'clinic policy' } },
      users.EMBRYOLOGIST,
      'req-assess',
    );
    const [event] = await ds.getRepository(AuditEvent).findBy({ requestId: 'req-assess' });
    expect(event).toMatchObject({
      action: 'ASSESSMENT_RECORDED',
      entity: 'embryo_assessment',
      clinicId: clinic.id,
      userId: users.EMBRYOLOGIST.id,
      detail: {
        embryoId: embryos[0].id,
        grade: '3BB',
        decision: 'TRANSFER',
        againstModel: true,
        reason: 'clinic policy',
        modelRank: 2,
        modelRankOf: 2,
      },
    });
  });
});

describe('reading assessments', () => {
  const LIST =
    'query($c: ID!, $by: ID) { assessments(clinicId: $c, assessedBy: $by, first: 100) { edges { node { id assessedBy decision } } } }';

  it('lists a clinic’s assessments to its ADMIN, EMBRYOLOGIST and CLINICIAN, audited; not to AUDITOR or another clinic', async () => {
    const r = await t.gql(LIST, { c: clinic.id, by: users.EMBRYOLOGIST.id }, users.CLINICIAN, 'req-list');
    expect(r.errors).toBeUndefined();
    const nodes = r.data.assessments.edges.map((e: { node: { assessedBy: string } }) => e.node);
    expect(nodes.length).toBeGreaterThan(3);
    expect(nodes.every((n: { assessedBy: string }) => n.assessedBy === users.EMBRYOLOGIST.id)).toBe(true);
    const [event] = await ds.getRepository(AuditEvent).findBy({ requestId: 'req-list' });
    expect(event).toMatchObject({ action: 'READ_ASSESSMENTS', clinicId: clinic.id, userId: users.CLINICIAN.id });
    expect(codes(await t.gql(LIST, { c: clinic.id }, users.AUDITOR))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(LIST, { c: clinic.id }, users.OTHER_ADMIN))).toEqual(['NOT_FOUND']);
    expect((await t.gql(LIST, { c: other.id }, users.OTHER_ADMIN)).data.assessments.edges).toEqual([]);
  });
});

describe('agreement figures', () => {
  const AGREEMENT = `query($c: ID!) { assessmentAgreement(clinicId: $c) {
    clinicId
    clinic { assessed withModelScore againstModel followedModelRate withOutcome embryologistCalls embryologistCorrect embryologistAccuracy modelCalls modelCorrect modelAccuracy }
    assessors { userId email figures { assessed againstModel embryologistCorrect embryologistCalls modelCorrect modelCalls } }
  } }`;

  it('counts per clinic and per embryologist, matching a hand count', async () => {
    const fresh = await newClinic(ds);
    const admin = await newMember(ds, fresh, 'ADMIN');
    const a = await newMember(ds, fresh, 'EMBRYOLOGIST');
    const b = await newMember(ds, fresh, 'EMBRYOLOGIST');
    const auditor = await newMember(ds, fresh, 'AUDITOR');
    await enableModel(ds, fresh, model, { active: true });
    const cycle = await newCycle(ds, fresh);
    const made: Embryo[] = [];
    for (const [i, p] of [0.9, 0.6, 0.3, 0.1, null].entries()) {
      const embryo = await newEmbryo(ds, cycle, { label: `F${i + 1}` });
      if (p !== null) await newPredictions(ds, embryo, model, 4, (k) => (k === 3 ? p : 0.5));
      made.push(embryo);
    }
    const as = (u: User, e: Embryo, decision: string, reason?: string) => record(u, e, decision, reason);
    // a: F1 transfer (follows, rank 1), F2 freeze (follows), F3 transfer against (rank 3, reason)
    // b: F4 discard (follows), F5 keep in culture (unscored); b first froze F4, then changed to discard
    for (const r of [
      await as(a, made[0], 'TRANSFER'),
      await as(a, made[1], 'FREEZE'),
      await as(a, made[2], 'TRANSFER', 'expanded early'),
      await as(b, made[3], 'FREEZE'),
      await as(b, made[3], 'DISCARD'),
      await as(b, made[4], 'KEEP_IN_CULTURE'),
    ])
      expect(r.errors).toBeUndefined();
    // outcomes: F1 blastocyst, F2 not, F3 blastocyst, F4 not; F5 unknown
    for (const [i, outcome] of ['BLASTOCYST', 'NOT_BLASTOCYST', 'BLASTOCYST', 'NOT_BLASTOCYST'].entries())
      await ds.getRepository(Embryo).update(made[i].id, { outcome: outcome as Embryo['outcome'] });

    const r = await t.gql(AGREEMENT, { c: fresh.id }, auditor);
    expect(r.errors).toBeUndefined();
    const report = r.data.assessmentAgreement;
    // newest per embryo: 5 assessed, 4 with a model score, 1 against → followed 3/4
    // known outcomes F1–F4; embryologist calls: F1 T(blast ✓) F2 F(blast ✗) F3 T(blast ✓) F4 D(not ✓) → 3/4
    // model calls (p ≥ 0.5): F1 0.9 ✓, F2 0.6 ✗ (not), F3 0.3 ✗ (blast), F4 0.1 ✓ → 2/4
    expect(report.clinic).toEqual({
      assessed: 5,
      withModelScore: 4,
      againstModel: 1,
      followedModelRate: 0.75,
      withOutcome: 4,
      embryologistCalls: 4,
      embryologistCorrect: 3,
      embryologistAccuracy: 0.75,
      modelCalls: 4,
      modelCorrect: 2,
      modelAccuracy: 0.5,
    });
    const byUser = Object.fromEntries(report.assessors.map((x: { userId: string }) => [x.userId, x]));
    expect(byUser[a.id]).toEqual({
      userId: a.id,
      email: a.email,
      figures: {
        assessed: 3,
        againstModel: 1,
        embryologistCorrect: 2,
        embryologistCalls: 3,
        modelCorrect: 1,
        modelCalls: 3,
      },
    });
    expect(byUser[b.id].figures).toEqual({
      assessed: 2,
      againstModel: 0,
      embryologistCorrect: 1,
      embryologistCalls: 1,
      modelCorrect: 1,
      modelCalls: 1,
    });
    expect((await t.gql(AGREEMENT, { c: fresh.id }, admin)).errors).toBeUndefined();
    // embryologists and clinicians do not read colleagues' figures; other clinics do not exist
    expect(codes(await t.gql(AGREEMENT, { c: fresh.id }, a))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(AGREEMENT, { c: fresh.id }, users.ADMIN))).toEqual(['NOT_FOUND']);
  });
});
