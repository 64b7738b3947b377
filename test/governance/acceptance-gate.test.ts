import type { DataSource } from 'typeorm';
import { AuditEvent, ClinicModel, type Clinic, type ModelVersion, type User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { enableModel, newModelVersion, newPredictions } from '../helpers/graphql-factories';

/*
 * From shadow to active by plan: acceptance criteria recorded for a shadow model, the comparison
 * activateModel acts on (checked against hand-computed ROC AUCs), refusal while unmet, the ADMIN
 * override with a reason, and the one-action rollback.
 */
let db: TestDatabase;
let ds: DataSource;
let t: TestApi;
let clinic: Clinic;
let admin: User;
let embryologist: User;
let otherAdmin: User;
let current: ModelVersion;
let candidate: ModelVersion;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = db.dataSource;
  t = await createTestApi(db);
  clinic = await newClinic(ds);
  admin = await newMember(ds, clinic, 'ADMIN');
  embryologist = await newMember(ds, clinic, 'EMBRYOLOGIST');
  otherAdmin = await newMember(ds, await newClinic(ds), 'ADMIN');
  current = await newModelVersion(ds, { trained: true });
  candidate = await newModelVersion(ds, { trained: true });
  await enableModel(ds, clinic, current, { active: true });
  await ds
    .getRepository(ClinicModel)
    .update({ clinicId: clinic.id, modelVersionId: current.id }, { activatedAt: new Date() });
  await enableModel(ds, clinic, candidate, { shadow: true });
  // day 3 = segment 11. Outcomes B, B, N, N.
  // current: 0.9 0.8 0.2 0.1 → ROC AUC 1; candidate: 0.9 0.3 0.5 0.1 → pairs (0.9>0.5, 0.9>0.1, 0.3<0.5, 0.3>0.1) = 0.75
  const cycle = await newCycle(ds, clinic);
  const rows: Array<['BLASTOCYST' | 'NOT_BLASTOCYST', number, number]> = [
    ['BLASTOCYST', 0.9, 0.9],
    ['BLASTOCYST', 0.8, 0.3],
    ['NOT_BLASTOCYST', 0.2, 0.5],
    ['NOT_BLASTOCYST', 0.1, 0.1],
  ];
  for (const [outcome, a, b] of rows) {
    const embryo = await newEmbryo(ds, cycle, { outcome });
    await newPredictions(ds, embryo, current, 12, () => a);
    await newPredictions(ds, embryo, candidate, 12, () => b);
  }
});
afterAll(async () => {
  await t?.stop();
  await db?.destroy();
});

const CRITERIA = `mutation($c: ID!, $m: ID!, $k: AcceptanceCriteriaInput!) {
  setAcceptanceCriteria(clinicId: $c, modelId: $m, criteria: $k) {
    met unmet criteria { minDay3RocAuc minOutcomes maxDropVsActive setBy }
    candidate { modelId day3RocAuc outcomes } active { modelId day3RocAuc outcomes }
  }
}`;
const setCriteria = (k: object, as = admin) => t.gql(CRITERIA, { c: clinic.id, m: candidate.id, k }, as);
const activate = (modelId: string, overrideReason?: string) =>
  t.gql(
    'mutation($m: ID!, $c: ID!, $o: String) { activateModel(modelId: $m, clinicId: $c, overrideReason: $o) { modelId active } }',
    { m: modelId, c: clinic.id, o: overrideReason },
    admin,
  );
const activeModel = async () =>
  (await ds.getRepository(ClinicModel).findOneByOrFail({ clinicId: clinic.id, active: true })).modelVersionId;
const rollback = (as: User, reason = 'day-3 AUC fell in the first week') =>
  t.gql(
    'mutation($c: ID!, $r: String!) { rollbackModel(clinicId: $c, reason: $r) { modelId active } }',
    { c: clinic.id, r: reason },
    as,
  );

describe('acceptance criteria and activation', () => {
  it('are set by the clinic ADMIN only', async () => {
    expect(codes(await setCriteria({ minDay3RocAuc: 0.7, minOutcomes: 4 }, embryologist))).toEqual(['FORBIDDEN']);
    expect(codes(await setCriteria({ minDay3RocAuc: 0.7, minOutcomes: 4 }, otherAdmin))).toEqual(['NOT_FOUND']);
    expect((await setCriteria({ minDay3RocAuc: 1.5, minOutcomes: 4 })).errors![0].message).toMatch(/between 0 and 1/);
  });

  it('can be recorded when the model is put in shadow mode', async () => {
    const shadow = (k: object | null, shadowOn = true) =>
      t.gql(
        `mutation($m: ID!, $c: ID!, $s: Boolean!, $k: AcceptanceCriteriaInput) {
          setModelShadow(modelId: $m, clinicId: $c, shadow: $s, acceptanceCriteria: $k) { modelId shadow } }`,
        { m: candidate.id, c: clinic.id, s: shadowOn, k },
        admin,
      );
    expect(codes(await shadow({ minDay3RocAuc: 0.6, minOutcomes: 2 }, false))).toEqual(['BAD_USER_INPUT']);
    const r = await shadow({ minDay3RocAuc: 0.6, minOutcomes: 2 });
    expect(r.errors).toBeUndefined();
    expect(r.data.setModelShadow).toEqual({ modelId: candidate.id, shadow: true });
    const check = await t.gql(
      'query($c: ID!, $m: ID!) { activationCheck(clinicId: $c, modelId: $m) { met criteria { minDay3RocAuc minOutcomes setBy } } }',
      { c: clinic.id, m: candidate.id },
      admin,
    );
    expect(check.data.activationCheck).toEqual({
      met: true,
      criteria: { minDay3RocAuc: 0.6, minOutcomes: 2, setBy: admin.id },
    });
  });

  it('compares the candidate with its criteria and the active model, and refuses activation while unmet', async () => {
    const r = await setCriteria({ minDay3RocAuc: 0.7, minOutcomes: 5, maxDropVsActive: 0.1 });
    expect(r.errors).toBeUndefined();
    expect(r.data.setAcceptanceCriteria).toEqual({
      met: false,
      unmet: [
        '4 local outcomes with a day-3 prediction; at least 5 needed',
        "day-3 ROC AUC 0.750 is more than 0.100 below the active model's 1.000",
      ],
      criteria: { minDay3RocAuc: 0.7, minOutcomes: 5, maxDropVsActive: 0.1, setBy: admin.id },
      candidate: { modelId: candidate.id, day3RocAuc: 0.75, outcomes: 4 },
      active: { modelId: current.id, day3RocAuc: 1, outcomes: 4 },
    });
    const refused = await activate(candidate.id);
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.errors![0].message).toMatch(/does not meet its acceptance criteria: 4 local outcomes/);
    expect(await activeModel()).toBe(current.id);
  });

  it('activates without a word once the criteria are met, and rolls back in one action', async () => {
    const loose = await setCriteria({ minDay3RocAuc: 0.7, minOutcomes: 4, maxDropVsActive: 0.3 });
    expect(loose.data.setAcceptanceCriteria).toMatchObject({ met: true, unmet: [] });
    expect((await activate(candidate.id)).data.activateModel).toEqual({ modelId: candidate.id, active: true });
    expect(codes(await rollback(embryologist))).toEqual(['FORBIDDEN']);
    const back = await rollback(admin);
    expect(back.data.rollbackModel).toEqual({ modelId: current.id, active: true });
    expect(await activeModel()).toBe(current.id);
    const [event] = await ds
      .getRepository(AuditEvent)
      .find({ where: { action: 'MODEL_ROLLED_BACK' }, order: { id: 'DESC' } });
    expect(event).toMatchObject({
      clinicId: clinic.id,
      userId: admin.id,
      detail: { reason: 'day-3 AUC fell in the first week', from: candidate.id, to: current.id },
    });
  });

  it('lets an ADMIN override unmet criteria with a reason, audited with the comparison', async () => {
    await setCriteria({ minDay3RocAuc: 0.9, minOutcomes: 4 });
    const r = await activate(candidate.id, 'vendor-validated on 2 000 embryos; local set too small');
    expect(r.errors).toBeUndefined();
    expect(await activeModel()).toBe(candidate.id);
    const [event] = await ds
      .getRepository(AuditEvent)
      .find({ where: { action: 'MODEL_ACTIVATION_OVERRIDDEN' }, order: { id: 'DESC' } });
    expect(event).toMatchObject({
      clinicId: clinic.id,
      userId: admin.id,
      entityId: candidate.id,
      detail: {
        reason: 'vendor-validated on 2 000 embryos; local set too small',
        unmet: ['day-3 ROC AUC 0.750; at least 0.900 needed'],
        candidate: { day3RocAuc: 0.75, outcomes: 4 },
      },
    });
  });
});
