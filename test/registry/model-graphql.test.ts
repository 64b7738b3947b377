import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEvent, type Clinic, type Embryo, type ModelVersion, type User } from '../../src/entities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newMember, newUser } from '../helpers/factories';
import { CRAFTED, SECRET_FLOAT, enterFolderWithSecret } from '../helpers/external-data-models';
import { codes, createTestApi, type TestApi } from '../helpers/graphql-client';
import { insertModelVersion, insertPredictions, tinyModel } from '../helpers/model-factories-registry';

describe('GraphQL: models, activation, shadow mode, evaluation', () => {
  let db: TestDatabase;
  let t: TestApi;
  let dataDir: string;
  let clinicA: Clinic;
  let clinicB: Clinic;
  let adminA: User,
    embryologistA: User,
    clinicianA: User,
    auditorA: User,
    adminB: User,
    networkAdmin: User,
    stranger: User;
  let live: ModelVersion, candidate: ModelVersion, spare: ModelVersion;
  let embryo: Embryo;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'amsnet-models-'));
    t = await createTestApi(db, { dataDir });
    const ds = db.dataSource;
    [clinicA, clinicB] = [await newClinic(ds), await newClinic(ds)];
    [adminA, embryologistA, clinicianA, auditorA] = await Promise.all(
      (['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR'] as const).map((r) => newMember(ds, clinicA, r)),
    );
    adminB = await newMember(ds, clinicB, 'ADMIN');
    networkAdmin = await newUser(ds, { networkAdmin: true });
    stranger = await newUser(ds);
    live = await insertModelVersion(ds, { name: 'live', trained: true });
    candidate = await insertModelVersion(ds, { name: 'candidate', trained: false });
    spare = await insertModelVersion(ds, { name: 'spare', trained: true });
    const { registry, system } = db.services;
    await registry.activate(live.id, system.clinic(clinicA.id));
    await registry.setShadow(candidate.id, system.clinic(clinicA.id), true);
    await registry.activate(spare.id, system.clinic(clinicB.id));
    // one embryo of clinic A with an outcome, scored by both models
    embryo = await newEmbryo(ds, await newCycle(ds, clinicA), { outcome: 'BLASTOCYST' });
    await insertPredictions(ds, embryo.id, live.id, Array(28).fill(0.8));
    await insertPredictions(ds, embryo.id, candidate.id, Array(28).fill(0.3));
    const other = await newEmbryo(ds, await newCycle(ds, clinicA), { outcome: 'NOT_BLASTOCYST' });
    await insertPredictions(ds, other.id, live.id, Array(28).fill(0.4));
    await insertPredictions(ds, other.id, candidate.id, Array(28).fill(0.6));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await t.stop();
    await db.destroy();
  });

  const MODELS = `{ models { id name trained warning clinics { clinicId active shadow } } }`;

  it('lists every version to admins, and to other members only what their clinics use openly', async () => {
    const forAdmin = (await t.gql(MODELS, {}, adminA)).data.models;
    expect(forAdmin.map((m: { name: string }) => m.name).sort()).toEqual(['candidate', 'live', 'spare']);
    expect(forAdmin.find((m: { name: string }) => m.name === 'candidate')).toMatchObject({
      trained: false,
      warning: expect.stringMatching(/UNTRAINED/),
      clinics: [{ clinicId: clinicA.id, shadow: true }],
    });
    // clinic B's admin sees the versions, but not clinic A's rows
    expect(
      (await t.gql(MODELS, {}, adminB)).data.models.find((m: { name: string }) => m.name === 'live').clinics,
    ).toEqual([]);
    const forClinician = (await t.gql(MODELS, {}, clinicianA)).data.models;
    expect(forClinician.map((m: { name: string }) => m.name)).toEqual(['live']);
    expect(codes(await t.gql(`query($id: ID!) { model(id: $id) { name } }`, { id: candidate.id }, clinicianA))).toEqual(
      ['NOT_FOUND'],
    );
    expect(
      (await t.gql(`query($id: ID!) { model(id: $id) { name } }`, { id: candidate.id }, adminA)).data.model.name,
    ).toBe('candidate');
    expect((await t.gql(MODELS, {}, stranger)).data.models).toEqual([]);
    expect(codes(await t.gql(MODELS, {}, null))).toEqual(['UNAUTHENTICATED']);
  });

  it('keeps shadow predictions invisible to clinicians and shows them, labelled, to admins', async () => {
    const Q = `query($id: ID!, $model: ID) { embryo(id: $id) { trajectory(modelId: $model) { model { id shadow trained } warning points { probability } } } }`;
    const clinicianShadow = await t.gql(Q, { id: embryo.id, model: candidate.id }, clinicianA);
    expect(clinicianShadow.data?.embryo?.trajectory ?? null).toBeNull();
    expect(JSON.stringify(clinicianShadow)).not.toContain('0.3');
    const clinicianDefault = (await t.gql(Q, { id: embryo.id }, clinicianA)).data.embryo.trajectory;
    expect(clinicianDefault.model.id).toBe(live.id);
    const adminShadow = (await t.gql(Q, { id: embryo.id, model: candidate.id }, adminA)).data.embryo.trajectory;
    expect(adminShadow).toMatchObject({
      model: { id: candidate.id, shadow: true, trained: false },
      warning: expect.any(String),
    });
    expect(adminShadow.points).toHaveLength(28);
  });

  it('lets a clinic admin (or a network admin) activate, and nobody else', async () => {
    const M = `mutation($m: ID!, $c: ID!) { activateModel(modelId: $m, clinicId: $c) { clinicId modelId active shadow } }`;
    expect(codes(await t.gql(M, { m: spare.id, c: clinicA.id }, clinicianA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(M, { m: spare.id, c: clinicA.id }, embryologistA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(M, { m: spare.id, c: clinicA.id }, auditorA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(M, { m: spare.id, c: clinicA.id }, adminB))).toEqual(['NOT_FOUND']);
    expect(codes(await t.gql(M, { m: '00000000-0000-0000-0000-000000000000', c: clinicA.id }, adminA))).toEqual([
      'NOT_FOUND',
    ]);
    const done = await t.gql(M, { m: spare.id, c: clinicA.id }, adminA, 'activate-req');
    expect(done.data.activateModel).toEqual({ clinicId: clinicA.id, modelId: spare.id, active: true, shadow: false });
    expect(await db.dataSource.getRepository(AuditEvent).findOneBy({ requestId: 'activate-req' })).toMatchObject({
      action: 'MODEL_ACTIVATED',
      userId: adminA.id,
      clinicId: clinicA.id,
    });
    expect((await t.gql(M, { m: live.id, c: clinicA.id }, networkAdmin)).data.activateModel.active).toBe(true);
  });

  it('sets shadow mode for admins only and refuses it for the active model', async () => {
    const M = `mutation($m: ID!, $c: ID!, $s: Boolean!) { setModelShadow(modelId: $m, clinicId: $c, shadow: $s) { active shadow } }`;
    expect(codes(await t.gql(M, { m: spare.id, c: clinicA.id, s: true }, embryologistA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(M, { m: live.id, c: clinicA.id, s: true }, adminA))).toEqual(['BAD_USER_INPUT']);
    expect((await t.gql(M, { m: spare.id, c: clinicA.id, s: true }, adminA)).data.setModelShadow).toEqual({
      active: false,
      shadow: true,
    });
  });

  it('evaluates for clinic admins only, with ROC points and the untrained label, audited', async () => {
    const Q = `query($m: ID!, $c: ID!) { modelEvaluation(modelId: $m, clinicId: $c) {
      untrained warning embryos blastocysts accuracyAuc days { day accuracy n } roc { day auc points { threshold falsePositiveRate truePositiveRate } } model { name } } }`;
    const result = await t.gql(Q, { m: candidate.id, c: clinicA.id }, adminA, 'eval-req');
    const e = result.data.modelEvaluation;
    expect(e).toMatchObject({
      untrained: true,
      warning: expect.stringMatching(/UNTRAINED/),
      embryos: 2,
      blastocysts: 1,
      accuracyAuc: 0,
      model: { name: 'candidate' },
    });
    expect(e.roc.map((r: { day: number; auc: number }) => [r.day, r.auc])).toEqual([
      [3, 0],
      [4, 0],
      [5, 0],
    ]);
    expect(e.roc[0].points[0]).toEqual({ threshold: null, falsePositiveRate: 0, truePositiveRate: 0 });
    expect(e.roc[0].points.at(-1)).toMatchObject({ falsePositiveRate: 1, truePositiveRate: 1 });
    expect(await db.dataSource.getRepository(AuditEvent).findOneBy({ requestId: 'eval-req' })).toMatchObject({
      action: 'READ_EVALUATION',
      userId: adminA.id,
      clinicId: clinicA.id,
    });
    const liveEval = (await t.gql(Q, { m: live.id, c: clinicA.id }, adminA)).data.modelEvaluation;
    expect(liveEval).toMatchObject({ untrained: false, warning: null, accuracyAuc: expect.closeTo(6.5 / 7, 10) });
    expect(codes(await t.gql(Q, { m: live.id, c: clinicA.id }, clinicianA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(Q, { m: live.id, c: clinicA.id }, auditorA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(Q, { m: live.id, c: clinicA.id }, adminB))).toEqual(['NOT_FOUND']);
    // the nested form on a listed version
    const nested = await t.gql(
      `query($c: ID!) { models { name evaluation(clinicId: $c) { embryos } } }`,
      { c: clinicA.id },
      adminA,
    );
    expect(nested.data.models.find((m: { name: string }) => m.name === 'live').evaluation.embryos).toBe(2);
  });

  it('registers a file from the server model folder for admins; refuses others, escapes and bad files', async () => {
    await mkdir(join(dataDir, 'models'), { recursive: true });
    await writeFile(join(dataDir, 'models', 'tiny.onnx'), await tinyModel({ variant: 'tsm', planes: [0], seed: 99 }));
    await writeFile(join(dataDir, 'models', 'junk.onnx'), 'not onnx');
    await writeFile(join(dataDir, 'secret.txt'), 'outside the model folder');
    const M = `mutation($i: RegisterModelInput!) { registerModel(input: $i) { created model { name version variant planes trained warning } } }`;
    const input = (serverPath: string) => ({ i: { serverPath, name: 'gql-tiny', version: '1' } });
    expect(codes(await t.gql(M, input('tiny.onnx'), clinicianA))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(M, input('tiny.onnx'), null))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await t.gql(M, input('../secret.txt'), adminA))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await t.gql(M, input(join(dataDir, 'secret.txt')), adminA))).toEqual(['BAD_USER_INPUT']);
    const junk = await t.gql(M, input('junk.onnx'), adminA);
    expect(junk.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/model refused/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const ok = await t.gql(M, input('tiny.onnx'), adminB);
    expect(ok.data.registerModel).toMatchObject({
      created: true,
      model: { name: 'gql-tiny', variant: 'tsm', planes: [0], trained: false, warning: expect.any(String) },
    });
    expect((await t.gql(M, input('tiny.onnx'), adminA)).data.registerModel.created).toBe(false);
  });

  it('refuses a model file that references another file, says why, and audits the attempt', async () => {
    await mkdir(join(dataDir, 'models'), { recursive: true });
    await writeFile(join(dataDir, 'models', 'crafted.onnx'), CRAFTED['Constant node value']());
    const leave = await enterFolderWithSecret();
    try {
      const M = `mutation($i: RegisterModelInput!) { registerModel(input: $i) { created } }`;
      const refused = await t.gql(M, { i: { serverPath: 'crafted.onnx', name: 'crafted', version: '1' } }, adminA);
      expect(refused.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^model refused: the model keeps tensor data in files outside the model/),
        extensions: { code: 'BAD_USER_INPUT' },
      });
      expect(JSON.stringify(refused)).not.toContain(String(SECRET_FLOAT).slice(0, 6));
    } finally {
      await leave();
    }
    const events = await db.dataSource
      .getRepository(AuditEvent)
      .findBy({ action: 'MODEL_REGISTRATION_REFUSED', userId: adminA.id });
    expect(events.map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ name: 'crafted', version: '1', reason: 'external-data' }),
    );
  });
});
