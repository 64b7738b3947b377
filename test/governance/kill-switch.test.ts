import type { DataSource } from 'typeorm';
import { AuditEvent, type Clinic, type Embryo, type User } from '../../src/entities';
import { SUSPENDED_NOTICE } from '../../src/graphql/access/scoped-data';
import { EmbryoScoringService } from '../../src/inference/scoring/embryo-scoring.service';
import { PredictorCache } from '../../src/inference/scoring/model-cache';
import { UserError } from '../../src/platform/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember } from '../helpers/factories';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { registerActiveModel, tinyModel } from '../helpers/model-factories';
import { addFrames, everyTwoHours } from '../helpers/scoring-factories';

/*
 * The kill switch (issue #16): an ADMIN suspends the clinic's model with a reason; every score path
 * then answers nothing (admins included), scoring writes nothing and requests are refused, until an
 * ADMIN resumes it. Both changes are audited.
 */
const PLANES = [-15, 0, 15];
let db: TestDatabase;
let ds: DataSource;
let t: TestApi;
let predictors: PredictorCache;
let clinic: Clinic;
let admin: User;
let embryologist: User;
let otherAdmin: User;
let modelId: string;
let embryo: Embryo;

beforeAll(async () => {
  db = await createTestDatabase();
  ds = db.dataSource;
  t = await createTestApi(db);
  predictors = new PredictorCache(db.store.models, { executionProviders: ['cpu'], maxBatch: 2 });
  clinic = await newClinic(ds);
  admin = await newMember(ds, clinic, 'ADMIN');
  embryologist = await newMember(ds, clinic, 'EMBRYOLOGIST');
  otherAdmin = await newMember(ds, await newClinic(ds), 'ADMIN');
  modelId = await registerActiveModel(ds, clinic, await tinyModel(PLANES));
  embryo = await newEmbryo(ds, await newCycle(ds, clinic));
  await addFrames(ds, embryo, everyTwoHours(14), PLANES); // segments 0–1 complete
});
afterAll(async () => {
  await predictors.close();
  await t?.stop();
  await db?.destroy();
});

const score = async (embryoIds: string[]) => {
  const run = await db.services.store.scoringRuns.insert({
    clinicId: clinic.id,
    modelVersionId: modelId,
    trigger: 'cli',
    requestedBy: null,
    scope: {},
  });
  return new EmbryoScoringService(db.store, predictors).scoreEmbryos({
    clinicId: clinic.id,
    modelVersionId: modelId,
    scoringRunId: run!.id,
    embryoIds,
  });
};
const SCORES = `query($e: ID!, $c: ID!) {
  embryo(id: $e) { scoreWithheld latestScore { value } trajectory { label } }
  clinic(id: $c) { scoringSuspension { reason by since } }
}`;
const suspend = (as: User, reason = 'drift alarm on day-3 AUC') =>
  t.gql('mutation($c: ID!, $r: String!) { suspendScoring(clinicId: $c, reason: $r) }', { c: clinic.id, r: reason }, as);
const resume = (as: User, reason = 'recalibrated and checked') =>
  t.gql('mutation($c: ID!, $r: String!) { resumeScoring(clinicId: $c, reason: $r) }', { c: clinic.id, r: reason }, as);
const predictionCount = async () =>
  (await ds.query('SELECT count(*)::int AS n FROM prediction WHERE embryo_id = $1', [embryo.id]))[0].n as number;

describe('kill switch', () => {
  it('is for the clinic ADMIN only, with a reason', async () => {
    expect(codes(await suspend(embryologist))).toEqual(['FORBIDDEN']);
    expect(codes(await suspend(otherAdmin))).toEqual(['NOT_FOUND']);
    expect((await suspend(admin, '  ')).errors![0].message).toMatch(/give a reason/);
    expect(codes(await resume(admin))).toEqual(['BAD_USER_INPUT']); // not suspended
  });

  it('hides every score from everybody and pauses scoring while suspended; resumes both', async () => {
    expect((await score([embryo.id])).outcomes[0].status).toBe('scored');
    expect(await predictionCount()).toBe(2);
    expect((await t.gql(SCORES, { e: embryo.id, c: clinic.id }, admin)).data.embryo.latestScore).not.toBeNull();

    expect((await suspend(admin)).data.suspendScoring).toBe(true);
    expect(codes(await suspend(admin))).toEqual(['BAD_USER_INPUT']); // already suspended
    for (const who of [admin, embryologist]) {
      const r = await t.gql(SCORES, { e: embryo.id, c: clinic.id }, who);
      expect(r.errors).toBeUndefined();
      expect(r.data.embryo).toEqual({
        scoreWithheld: `${SUSPENDED_NOTICE}: drift alarm on day-3 AUC`,
        latestScore: null,
        trajectory: null,
      });
      expect(r.data.clinic.scoringSuspension).toMatchObject({ reason: 'drift alarm on day-3 AUC', by: admin.id });
    }
    const ranking = await t.gql(
      'query($c: ID!) { cycle(id: $c) { ranking { entries { rank score { value } withheld } } } }',
      { c: embryo.cycleId },
      admin,
    );
    expect(ranking.data.cycle.ranking.entries).toEqual([
      { rank: null, score: null, withheld: `${SUSPENDED_NOTICE}: drift alarm on day-3 AUC` },
    ]);
    // scoring writes nothing, requests are refused
    await addFrames(ds, embryo, everyTwoHours(26), PLANES); // segments 2–3 become complete
    const paused = await score([embryo.id]);
    expect(paused.outcomes).toEqual([
      { embryoId: embryo.id, status: 'skipped', written: [], reason: 'scoring is suspended in this clinic' },
    ]);
    expect(await predictionCount()).toBe(2);
    await expect(
      db.services.scoring.request(db.services.system.clinic(clinic.id), { embryoIds: [embryo.id] }, 'cli'),
    ).rejects.toThrow(UserError);

    expect((await resume(admin)).data.resumeScoring).toBe(true);
    expect((await score([embryo.id])).outcomes[0]).toMatchObject({ status: 'scored', written: [2, 3] });
    const back = await t.gql(SCORES, { e: embryo.id, c: clinic.id }, embryologist);
    expect(back.data.embryo.scoreWithheld).toBeNull();
    expect(back.data.embryo.trajectory).not.toBeNull();
    expect(back.data.clinic.scoringSuspension).toBeNull();

    const events = await ds.getRepository(AuditEvent).find({
      where: [
        { action: 'MODEL_SUSPENDED', clinicId: clinic.id },
        { action: 'MODEL_RESUMED', clinicId: clinic.id },
      ],
      order: { id: 'ASC' },
    });
    expect(events.map((e) => [e.action, e.userId, e.detail])).toEqual([
      ['MODEL_SUSPENDED', admin.id, { reason: 'drift alarm on day-3 AUC', activeModelVersionId: modelId }],
      ['MODEL_RESUMED', admin.id, { reason: 'recalibrated and checked', activeModelVersionId: modelId }],
    ]);
  });
});
