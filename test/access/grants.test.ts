import { ClinicGrant, type NetworkGrant } from '../../src/auth/grants';
import { Permission } from '../../src/auth/permissions';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newMember, newPatient } from '../helpers/factories';
import { accessOf } from '../helpers/access';

/**
 * Grants are the only way to change clinic data. Only the access layer and privileged system
 * access mint them; a grant covers what it was checked for and nothing else.
 */
describe('grants', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(async () => db.destroy());

  it('cannot be faked by an object literal (checked by the type checker in npm test)', async () => {
    const clinic = await newClinic(db.dataSource);
    const lookAlike = { clinicId: clinic.id, actor: { userId: null }, covers: () => true };
    // @ts-expect-error a structural look-alike is not a ClinicGrant …
    await expect(db.services.patients.createPatient(lookAlike, { mrn: 'X-1' })).rejects.toThrow(
      'not a clinic grant issued by the access layer',
    );
    // … nor is an object made from its prototype (only its constructor gives the private field)
    const prototyped = Object.assign(Object.create(ClinicGrant.prototype) as ClinicGrant, lookAlike);
    await expect(db.services.patients.createPatient(prototyped, { mrn: 'X-1' })).rejects.toThrow(
      'not a clinic grant issued by the access layer',
    );
    // @ts-expect-error nor is a bare clinic id
    await expect(db.services.outcomes.recordOutcome(clinic.id, 'e', 'BLASTOCYST')).rejects.toThrow(
      'not a clinic grant',
    );
    // @ts-expect-error evaluation needs a clinic's grant or a network grant: "no clinic" is no default
    await expect(db.services.evaluation.evaluate({ modelId: clinic.id })).rejects.toThrow('not a network grant');
    await expect(
      db.services.accounts.createClinic({ code: 'forged', name: 'x' }, {
        actor: { userId: null },
      } as unknown as NetworkGrant),
    ).rejects.toThrow('not a network grant');
    expect(await db.dataSource.query(`SELECT 1 FROM patient WHERE clinic_id = $1`, [clinic.id])).toEqual([]);
  });

  it('cover what the access layer checked, and privileged system access covers everything', async () => {
    const clinic = await newClinic(db.dataSource);
    const embryologist = await newMember(db.dataSource, clinic, 'EMBRYOLOGIST');
    const lab = await (await accessOf(db, embryologist)).requireClinic(clinic.id, Permission.LAB_WORK);
    expect(lab.covers(Permission.LAB_WORK)).toBe(true);
    expect(lab.covers(Permission.MANAGE)).toBe(false);
    // a service handed a grant for another permission refuses it as a bug, before touching data
    await expect(db.services.patients.createPatient(lab, { mrn: 'X-2' })).rejects.toThrow(
      'a LAB_WORK grant does not cover MANAGE',
    );
    expect(await db.dataSource.query(`SELECT 1 FROM patient WHERE clinic_id = $1`, [clinic.id])).toEqual([]);

    const system = db.services.system.clinic(clinic.id);
    expect(Object.values(Permission).every((p) => system.covers(p))).toBe(true);
    const patient = await db.services.patients.createPatient(system, { mrn: 'X-3' });
    const [event] = await db.dataSource.query(`SELECT user_id FROM audit_event WHERE entity_id = $1`, [patient.id]);
    expect(event).toEqual({ user_id: null });
  });

  it('carry who acted and in which request into the audit log', async () => {
    const clinic = await newClinic(db.dataSource);
    const admin = await newMember(db.dataSource, clinic, 'ADMIN');
    const grant = await (await accessOf(db, admin, 'req-42')).requireClinic(clinic.id, Permission.MANAGE);
    const patient = await newPatient(db.dataSource, clinic);
    const cycle = await db.services.cycles.createCycle(grant, { patientId: patient.id, externalId: 'CY-42' });
    const [event] = await db.dataSource.query(
      `SELECT user_id, request_id, clinic_id FROM audit_event WHERE entity_id = $1`,
      [cycle.id],
    );
    expect(event).toEqual({ user_id: admin.id, request_id: 'req-42', clinic_id: clinic.id });
  });
});
