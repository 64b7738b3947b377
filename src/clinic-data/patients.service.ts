import type { DataSource } from 'typeorm';
import { Patient } from '../entities';
import { AuditAction } from '../platform/audit/audit-actions';
import { writeAudit } from '../platform/audit/audit-log';
import { UserError } from '../platform/errors';
import { isUniqueViolation } from './errors';
import type { CheckedClinic } from './grant';

/** Patients: created by clinic administrators; the MRN is unique within the clinic. */
export class PatientsService {
  constructor(private readonly dataSource: DataSource) {}

  async createPatient(clinic: CheckedClinic, input: { mrn: string; displayName?: string | null }): Promise<Patient> {
    const mrn = input.mrn.trim();
    try {
      return await this.dataSource.transaction(async (m) => {
        if (await m.existsBy(Patient, { clinicId: clinic.clinicId, mrn })) throw new UserError(`a patient with MRN "${mrn}" already exists in this clinic`);
        const patient = await m.save(Patient, m.create(Patient, { clinicId: clinic.clinicId, mrn, displayName: input.displayName?.trim() || null }));
        await writeAudit(m, clinic.actor, { action: AuditAction.PATIENT_CREATED, entity: 'patient', entityId: patient.id, clinicId: clinic.clinicId });
        return patient;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'uq_patient_clinic_mrn')) throw new UserError(`a patient with MRN "${mrn}" already exists in this clinic`);
      throw error;
    }
  }
}
