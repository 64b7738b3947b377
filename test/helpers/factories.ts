import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashPassword } from '../../src/auth/password';
import {
  Clinic,
  Cycle,
  Embryo,
  Frame,
  FrameImage,
  Membership,
  Patient,
  User,
  type CycleStatus,
  type Outcome,
  type Role,
} from '../../src/entities';

/**
 * Test data factories: each makes one valid row with unique defaults, so a test states only what
 * matters to it. They write through TypeORM into the test file's own database.
 */
const unique = () => randomBytes(4).toString('hex');

export async function newClinic(ds: DataSource, over: Partial<Clinic> = {}): Promise<Clinic> {
  const code = over.code ?? `c-${unique()}`;
  return ds.getRepository(Clinic).save({ code, name: `Clinic ${code}`, ...over });
}

export async function newUser(ds: DataSource, over: Partial<User> & { password?: string } = {}): Promise<User> {
  const { password, ...rest } = over;
  const passwordHash = password ? await hashPassword(password) : null;
  return ds
    .getRepository(User)
    .save({ email: `u-${unique()}@example.org`, networkAdmin: false, passwordHash, ...rest });
}

export async function newMembership(ds: DataSource, user: User, clinic: Clinic, role: Role): Promise<Membership> {
  return ds.getRepository(Membership).save({ userId: user.id, clinicId: clinic.id, role });
}

/** A user with one role in one clinic. */
export async function newMember(
  ds: DataSource,
  clinic: Clinic,
  role: Role,
  over: Partial<User> & { password?: string } = {},
) {
  const user = await newUser(ds, over);
  await newMembership(ds, user, clinic, role);
  return user;
}

export async function newPatient(ds: DataSource, clinic: Clinic, over: Partial<Patient> = {}): Promise<Patient> {
  return ds.getRepository(Patient).save({ clinicId: clinic.id, mrn: `MRN-${unique()}`, displayName: null, ...over });
}

export async function newCycle(
  ds: DataSource,
  clinic: Clinic,
  over: Partial<Cycle> & { patient?: Patient; status?: CycleStatus } = {},
): Promise<Cycle> {
  const { patient: given, ...rest } = over;
  const patient = given ?? (await newPatient(ds, clinic));
  return ds.getRepository(Cycle).save({
    clinicId: clinic.id,
    patientId: patient.id,
    externalId: `CY-${unique()}`,
    inseminationAt: new Date('2026-01-05T09:00:00Z'),
    method: 'ICSI',
    status: 'ACTIVE',
    ...rest,
  });
}

export async function newEmbryo(
  ds: DataSource,
  cycle: Cycle,
  over: Partial<Embryo> & { outcome?: Outcome } = {},
): Promise<Embryo> {
  return ds.getRepository(Embryo).save({
    clinicId: cycle.clinicId,
    cycleId: cycle.id,
    label: `A${Math.floor(Math.random() * 12) + 1}`,
    externalId: `E-${unique()}`,
    outcome: 'UNKNOWN',
    ...over,
  });
}

/** Stores image bytes content-addressed and returns the sha256. */
export async function newFrameImage(
  ds: DataSource,
  bytes: Buffer = randomBytes(64),
  mime = 'image/png',
): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await ds.getRepository(FrameImage).upsert({ sha256, bytes, mime }, ['sha256']);
  return sha256;
}

export async function newFrame(
  ds: DataSource,
  embryo: Embryo,
  over: Partial<Frame> & { bytes?: Buffer } = {},
): Promise<Frame> {
  const { bytes, ...rest } = over;
  const sha256 = rest.sha256 ?? (await newFrameImage(ds, bytes));
  return ds.getRepository(Frame).save({
    embryoId: embryo.id,
    acquiredAt: null,
    hoursPostInsemination: 12,
    focalPlaneUm: 0,
    run: null,
    width: 500,
    height: 500,
    source: 'test',
    ...rest,
    sha256,
  });
}
