import type { EntityManager } from 'typeorm';
import { Cycle } from '../cycle.entity';
import { UNASSIGNED_CYCLE_EXTERNAL_ID, type CycleMethod, type CycleStatus } from '../enums';
import { Patient } from '../patient.entity';
import { asEntities, entityFromRow, selectList } from './entity-rows';
import { scopeCondition, scopedQuery, toPage, type ClinicScope, type Page } from './clinic-scope';
import { refusingDuplicates } from './duplicate-record';
import { collectScoringSetup, scoringSetupSql, type ClinicScoringSetup } from './model.repository';

/** A cycle with what its view shows first (PatientCycleRepository.cycleViewsIn). */
export interface CycleView {
  clinicId: string;
  cycle: Cycle;
  patient: Patient | null;
  setup: ClinicScoringSetup;
}

export interface CycleFilter {
  clinicIds?: string[];
  status?: CycleStatus;
  patientMrn?: string;
}

/** Patients and their treatment cycles, including each clinic's `unassigned` cycle. */
export class PatientCycleRepository {
  constructor(private readonly m: EntityManager) {}

  // ---- patients ------------------------------------------------------------------------------

  /** Patients of `ids` inside the scope. */
  async patientsIn(scope: ClinicScope, ids: readonly string[]): Promise<Patient[]> {
    const rows: object[] = await this.m.query(
      `SELECT ${selectList(this.m, Patient, 'p')} FROM patient p
       WHERE ($1::boolean OR p.clinic_id = ANY($2::uuid[])) AND p.id = ANY($3::uuid[])`,
      [scope.all, scope.clinicIds, ids],
    );
    return asEntities(Patient, rows);
  }

  patientByMrn(clinicId: string, mrn: string): Promise<Patient | null> {
    return this.m.getRepository(Patient).findOneBy({ clinicId, mrn });
  }

  patientById(id: string): Promise<Patient | null> {
    return this.m.getRepository(Patient).findOneBy({ id });
  }

  /** Throws DuplicateRecordError when the clinic has a patient with that MRN. */
  createPatient(input: { clinicId: string; mrn: string; displayName: string | null }): Promise<Patient> {
    return refusingDuplicates(['uq_patient_clinic_mrn'], () => this.m.save(Patient, this.m.create(Patient, input)));
  }

  /** Creates the patient unless a concurrent writer just did; returns the row either way. */
  async ensurePatient(input: {
    clinicId: string;
    mrn: string;
    displayName: string | null;
  }): Promise<{ patient: Patient; created: boolean }> {
    const result = await this.m
      .createQueryBuilder()
      .insert()
      .into(Patient)
      .values(input)
      .orIgnore()
      .returning('id')
      .execute();
    return {
      patient: (await this.patientByMrn(input.clinicId, input.mrn))!,
      created: (result.raw as unknown[]).length > 0,
    };
  }

  async renamePatient(id: string, displayName: string): Promise<void> {
    await this.m.update(Patient, { id }, { displayName });
  }

  // ---- cycles --------------------------------------------------------------------------------

  /** Cycles of `ids` inside the scope. */
  async cyclesIn(scope: ClinicScope, ids: readonly string[]): Promise<Cycle[]> {
    const rows: object[] = await this.m.query(
      `SELECT ${selectList(this.m, Cycle, 'c')} FROM cycle c
       WHERE ($1::boolean OR c.clinic_id = ANY($2::uuid[])) AND c.id = ANY($3::uuid[])`,
      [scope.all, scope.clinicIds, ids],
    );
    return asEntities(Cycle, rows);
  }

  /**
   * What a cycle view starts from, in one statement (each statement is a round trip and ~0.3 ms of
   * the API's CPU, bench:api): cycles of `ids` inside the scope, each with its patient (null for a
   * clinic's unassigned cycle) and its clinic's scoring setup (models within the scope, settings).
   */
  async cycleViewsIn(scope: ClinicScope, ids: readonly string[]): Promise<CycleView[]> {
    const setup = scoringSetupSql(this.m, 'c.clinic_id');
    const rows: Array<Record<string, unknown>> = await this.m.query(
      `SELECT ${selectList(this.m, Cycle, 'c')}, ${selectList(this.m, Patient, 'p', 'p.')}, ${setup.columns}
       FROM cycle c
       LEFT JOIN patient p ON p.id = c.patient_id AND p.clinic_id = c.clinic_id
       ${setup.joins}
       WHERE ($1::boolean OR c.clinic_id = ANY($2::uuid[])) AND c.id = ANY($3::uuid[])
       ORDER BY c.id, ${setup.order}`,
      [scope.all, scope.clinicIds, ids],
    );
    const views = new Map<string, CycleView>();
    const setups = new Map<string, ClinicScoringSetup>();
    for (const row of rows) {
      const cycleId = row.id as string;
      const setup = collectScoringSetup(setups, cycleId, row);
      if (!views.has(cycleId)) {
        const cycle = entityFromRow(Cycle, row)!;
        views.set(cycleId, { clinicId: cycle.clinicId, cycle, patient: entityFromRow(Patient, row, 'p.'), setup });
      }
    }
    return [...views.values()];
  }

  /** Newest first; the id breaks ties so the order is total and pages never overlap. */
  async cyclePage(
    scope: ClinicScope,
    filter: CycleFilter,
    first: number,
    afterId: string | undefined,
  ): Promise<Page<Cycle>> {
    const query = scopedQuery(this.m, Cycle, 'c', scope);
    if (filter.clinicIds)
      query.andWhere('c.clinic_id = ANY(CAST(:clinicIds AS uuid[]))', { clinicIds: filter.clinicIds });
    if (filter.status) query.andWhere('c.status = :status', { status: filter.status });
    if (filter.patientMrn !== undefined) {
      query.andWhere('c.patient_id IN (SELECT p.id FROM patient p WHERE p.mrn = :mrn AND p.clinic_id = c.clinic_id)', {
        mrn: filter.patientMrn,
      });
    }
    if (afterId) {
      // The cursor is looked up inside the caller's scope: a cycle of a clinic the caller cannot
      // see is no position, exactly as a random id is (else the page would tell when it was created).
      const [cursorScope, cursorParams] = scopeCondition('a.clinic_id', scope, 'cursorScope');
      query.andWhere(
        `(c.created_at, c.id) < (SELECT a.created_at, a.id FROM cycle a WHERE a.id = :afterId AND ${cursorScope})`,
        { afterId, ...cursorParams },
      );
    }
    const rows = await query
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first);
  }

  cycleByExternalId(clinicId: string, externalId: string): Promise<Cycle | null> {
    return this.m.getRepository(Cycle).findOneBy({ clinicId, externalId });
  }

  /** The clinic of a cycle, whoever owns it (operator tools only). */
  async clinicOfCycle(id: string): Promise<string | null> {
    return (await this.m.getRepository(Cycle).findOne({ where: { id }, select: { clinicId: true } }))?.clinicId ?? null;
  }

  /** Throws DuplicateRecordError when the clinic has a cycle with that external id. */
  createCycle(input: {
    clinicId: string;
    patientId: string;
    externalId: string;
    inseminationAt: Date | null;
    method: CycleMethod | null;
  }): Promise<Cycle> {
    return refusingDuplicates(['uq_cycle_clinic_external'], () =>
      this.m.save(Cycle, this.m.create(Cycle, { ...input, status: 'ACTIVE' })),
    );
  }

  /** The cycle, locked for the rest of the transaction; null when it is not one of the clinic's. */
  lockCycle(clinicId: string, id: string): Promise<Cycle | null> {
    return this.m
      .getRepository(Cycle)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.id = :id AND c.clinic_id = :clinicId', { id, clinicId })
      .getOne();
  }

  /** Throws DuplicateRecordError when an external id change collides with another cycle of the clinic. */
  saveCycle(cycle: Cycle): Promise<Cycle> {
    return refusingDuplicates(['uq_cycle_clinic_external'], () => this.m.save(Cycle, cycle));
  }

  /** Links the cycle to its patient and insemination time (a cycle sheet); a null method keeps the stored one. */
  async completeCycle(
    id: string,
    changes: { patientId: string; inseminationAt: Date; method: CycleMethod | null },
  ): Promise<void> {
    await this.m.query(
      'UPDATE cycle SET patient_id = $2, insemination_at = $3, method = COALESCE($4, method), updated_at = now() WHERE id = $1',
      [id, changes.patientId, changes.inseminationAt, changes.method],
    );
  }

  /** The clinic's `unassigned` cycle (no patient, no insemination time), created on first use. */
  async ensureUnassignedCycle(clinicId: string): Promise<Cycle> {
    await this.m.query(
      `INSERT INTO cycle (clinic_id, patient_id, external_id, insemination_at, method)
       VALUES ($1, NULL, $2, NULL, NULL) ON CONFLICT (clinic_id, external_id) DO NOTHING`,
      [clinicId, UNASSIGNED_CYCLE_EXTERNAL_ID],
    );
    return (await this.cycleByExternalId(clinicId, UNASSIGNED_CYCLE_EXTERNAL_ID))!;
  }

  /** Serialises writers of one cycle external id across concurrent imports until the transaction ends. */
  async lockCycleExternalId(clinicId: string, externalId: string): Promise<void> {
    await this.m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`cycle:${clinicId}:${externalId}`]);
  }

  /** MRN of a cycle's patient (null for a cycle without one). */
  async patientMrnOfCycle(cycleId: string): Promise<string | null> {
    const rows: { mrn: string }[] = await this.m.query(
      'SELECT p.mrn FROM cycle c JOIN patient p ON p.id = c.patient_id WHERE c.id = $1',
      [cycleId],
    );
    return rows[0]?.mrn ?? null;
  }
}
