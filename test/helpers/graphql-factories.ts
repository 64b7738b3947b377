import { createHash, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { DataSource } from 'typeorm';
import { hashPassword } from '../../src/auth/password';
import {
  ClinicModel,
  ImportRun,
  ImportRunItem,
  Membership,
  ModelVersion,
  Prediction,
  ScoringRun,
  User,
  type Clinic,
  type Embryo,
  type Role,
} from '../../src/entities';

/** A registered model version row (the ONNX bytes are irrelevant to the API tests). */
export async function newModelVersion(ds: DataSource, over: Partial<ModelVersion> = {}): Promise<ModelVersion> {
  const sha256 = createHash('sha256').update(randomBytes(16)).digest('hex');
  return ds.getRepository(ModelVersion).save({
    name: `amsnet-${sha256.slice(0, 6)}`,
    version: '1',
    sha256,
    variant: 'amsnet',
    planes: [-15, 0, 15],
    inputSize: 32,
    contract: { contractVersion: 1 },
    trained: true,
    onnx: Buffer.from([0]),
    sizeBytes: '1',
    createdBy: null,
    ...over,
  });
}

export async function enableModel(
  ds: DataSource,
  clinic: Clinic,
  model: ModelVersion,
  state: { active?: boolean; shadow?: boolean } = {},
): Promise<ClinicModel> {
  return ds.getRepository(ClinicModel).save({
    clinicId: clinic.id,
    modelVersionId: model.id,
    active: state.active ?? false,
    shadow: state.shadow ?? false,
  });
}

/** Predictions for segments 0…n-1; probability of segment k from `probabilityAt`. */
export async function newPredictions(
  ds: DataSource,
  embryo: Embryo,
  model: ModelVersion,
  segments: number,
  probabilityAt: (k: number) => number = (k) => Math.min(1, 0.1 + k * 0.02),
  imputedAt: (k: number) => boolean = () => false,
): Promise<void> {
  const rows = Array.from({ length: segments }, (_, k) => ({
    embryoId: embryo.id,
    modelVersionId: model.id,
    segment: k,
    hoursPostInsemination: 6 * (k + 1),
    probability: probabilityAt(k),
    inputs: { imputed: imputedAt(k), frames: [] },
  }));
  await ds.getRepository(Prediction).insert(rows);
}

export async function newScoringRun(
  ds: DataSource,
  clinic: Clinic,
  over: Partial<ScoringRun> = {},
): Promise<ScoringRun> {
  return ds
    .getRepository(ScoringRun)
    .save({ clinicId: clinic.id, trigger: 'cron', status: 'SUCCEEDED', scope: {}, details: {}, ...over });
}

export async function newImportRun(
  ds: DataSource,
  clinic: Clinic,
  items: { item: string; status: ImportRunItem['status']; reason?: string }[] = [],
): Promise<ImportRun> {
  const run = await ds
    .getRepository(ImportRun)
    .save({ clinicId: clinic.id, kind: 'FOLDER', source: '/incoming/x', status: 'PARTIAL' });
  if (items.length)
    await ds
      .getRepository(ImportRunItem)
      .insert(items.map((i) => ({ importRunId: run.id, item: i.item, status: i.status, reason: i.reason ?? null })));
  return run;
}

/** A real grayscale PNG of `size` px with a gradient, as an incubator frame would be stored. */
export async function pngBytes(size = 64): Promise<Buffer> {
  const pixels = Buffer.alloc(size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 256;
  return sharp(pixels, { raw: { width: size, height: size, channels: 1 } })
    .png()
    .toBuffer();
}

/**
 * A user who signs in with a password (argon2id, slow: use sparingly). test/helpers/factories.ts
 * `newUser({ password })` uses a dynamic import that Jest's VM refuses, hence this one.
 */
export async function newPasswordUser(
  ds: DataSource,
  password: string,
  membership?: { clinic: Clinic; role: Role },
): Promise<User> {
  const user = await ds
    .getRepository(User)
    .save({ email: `p-${randomBytes(4).toString('hex')}@example.org`, passwordHash: await hashPassword(password) });
  if (membership)
    await ds.getRepository(Membership).save({ userId: user.id, clinicId: membership.clinic.id, role: membership.role });
  delete (user as Partial<User>).passwordHash;
  return user;
}
