import { QueryFailedError } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ALLOW_AUDIT_LOG_DROP } from '../../migrations/audit-log-guard';
import { createAppDataSource } from '../../src/app/database';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../helpers/database';
import { newClinic, newCycle, newEmbryo, newFrame, newMember, newPatient, newUser } from '../helpers/factories';

describe('migrations', () => {
  it('apply to an empty database and revert cleanly', async () => {
    const empty = await createEmptyDatabase();
    // Reverting everything drops the audit log: only with the explicit setting (migrations/audit-log-guard.ts).
    const ds = createAppDataSource({ url: empty.url, poolSize: 1, settings: { [ALLOW_AUDIT_LOG_DROP]: 'on' } });
    await ds.initialize();
    try {
      expect(await ds.showMigrations()).toBe(true);
      await ds.runMigrations();
      expect(await ds.showMigrations()).toBe(false);
      const tables = async () =>
        (
          await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)
        ).map((r: { table_name: string }) => r.table_name);
      expect(await tables()).toEqual(
        expect.arrayContaining([
          'clinic',
          'user',
          'membership',
          'patient',
          'cycle',
          'embryo',
          'frame',
          'frame_image',
          'model_version',
          'clinic_model',
          'prediction',
          'scoring_run',
          'import_run',
          'audit_event',
        ]),
      );
      const executed = async () => Number((await ds.query(`SELECT count(*) AS n FROM typeorm_migrations`))[0].n);
      expect(await executed()).toBe(MIGRATIONS.length);
      while ((await executed()) > 0) await ds.undoLastMigration();
      expect(await tables()).toEqual(['typeorm_migrations']);
      await ds.runMigrations(); // and up again after a full revert
      expect(await ds.showMigrations()).toBe(false);
    } finally {
      await ds.destroy();
      await empty.destroy();
    }
  });
});

describe('constraints', () => {
  let db: TestDatabase;
  beforeAll(async () => (db = await createTestDatabase()));
  afterAll(async () => db.destroy());

  const rejects = (p: Promise<unknown>, constraint: RegExp) =>
    expect(p).rejects.toThrow(
      expect.objectContaining({ constructor: QueryFailedError, message: expect.stringMatching(constraint) }),
    );

  it('rejects a duplicate frame key but accepts another plane', async () => {
    const clinic = await newClinic(db.dataSource);
    const embryo = await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic));
    await newFrame(db.dataSource, embryo, { hoursPostInsemination: 10.5, focalPlaneUm: 15 });
    await newFrame(db.dataSource, embryo, { hoursPostInsemination: 10.5, focalPlaneUm: 0 });
    await rejects(
      newFrame(db.dataSource, embryo, { hoursPostInsemination: 10.5, focalPlaneUm: 15 }),
      /uq_frame_embryo_hpi_plane/,
    );
  });

  it('rejects a probability of 1.5 and a segment outside 0..27', async () => {
    const clinic = await newClinic(db.dataSource);
    const embryo = await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic));
    const [model] = await db.dataSource.query(
      `INSERT INTO model_version (name, version, sha256, variant, planes, input_size, contract, trained, onnx, size_bytes)
       VALUES ('m', '1', repeat('a', 64), 'amsnet', '{0}', 32, '{}', false, '\\x00', 1) RETURNING id`,
    );
    const insert = (segment: number, probability: number) =>
      db.dataSource.query(
        `INSERT INTO prediction (embryo_id, model_version_id, segment, hours_post_insemination, probability) VALUES ($1, $2, $3, $4, $5)`,
        [embryo.id, model.id, segment, 6 * (segment + 1), probability],
      );
    await insert(0, 0.25);
    await rejects(insert(1, 1.5), /prediction_probability_check/);
    await rejects(insert(28, 0.5), /prediction_segment_check/);
    await rejects(insert(0, 0.3), /uq_prediction_embryo_model_segment/);
  });

  it('rejects an unknown role, negative hpi and an absurd focal plane', async () => {
    const clinic = await newClinic(db.dataSource);
    await rejects(newMember(db.dataSource, clinic, 'SURGEON' as never), /membership_role_check/);
    const embryo = await newEmbryo(db.dataSource, await newCycle(db.dataSource, clinic));
    await rejects(
      newFrame(db.dataSource, embryo, { hoursPostInsemination: -1 }),
      /frame_hours_post_insemination_check/,
    );
    await rejects(newFrame(db.dataSource, embryo, { focalPlaneUm: 9000 }), /frame_focal_plane_um_check/);
  });

  it('keeps a cycle and its embryos inside the patient’s clinic', async () => {
    const a = await newClinic(db.dataSource);
    const b = await newClinic(db.dataSource);
    const patientOfB = await newPatient(db.dataSource, b);
    await rejects(newCycle(db.dataSource, a, { patient: patientOfB }), /fk_cycle_patient/);
    const cycleOfA = await newCycle(db.dataSource, a);
    await rejects(newEmbryo(db.dataSource, cycleOfA, { clinicId: b.id }), /fk_embryo_cycle/);
  });

  it('allows one active model per clinic', async () => {
    const clinic = await newClinic(db.dataSource);
    const ids: string[] = [];
    for (const v of ['1', '2']) {
      const [m] = await db.dataSource.query(
        `INSERT INTO model_version (name, version, sha256, variant, planes, input_size, contract, trained, onnx, size_bytes)
         VALUES ('one-active', $1, repeat($1, 64), 'tsm', '{0}', 32, '{}', false, '\\x00', 1) RETURNING id`,
        [v],
      );
      ids.push(m.id);
    }
    await db.dataSource.query(`INSERT INTO clinic_model (clinic_id, model_version_id, active) VALUES ($1, $2, true)`, [
      clinic.id,
      ids[0],
    ]);
    await rejects(
      db.dataSource.query(`INSERT INTO clinic_model (clinic_id, model_version_id, active) VALUES ($1, $2, true)`, [
        clinic.id,
        ids[1],
      ]),
      /uq_clinic_model_one_active/,
    );
  });

  it('keeps the audit log append-only and e-mails lower-case', async () => {
    await db.dataSource.query(`INSERT INTO audit_event (action, entity) VALUES ('TEST', 'clinic')`);
    await rejects(db.dataSource.query(`UPDATE audit_event SET action = 'X'`), /append-only/);
    await rejects(db.dataSource.query(`DELETE FROM audit_event`), /append-only/);
    await rejects(newUser(db.dataSource, { email: 'Someone@Example.org' }), /user_email_check/);
  });
});
