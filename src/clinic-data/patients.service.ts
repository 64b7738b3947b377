import { ClinicGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import { AuditAction, type Patient } from '../entities';
import { DuplicateRecordError, type DataStore } from '../entities/repositories';
import { UserError } from '../platform/errors';

/** Patients: created by clinic administrators; the MRN is unique within the clinic. */
export class PatientsService {
  constructor(private readonly store: DataStore) {}

  async createPatient(grant: ClinicGrant, input: { mrn: string; displayName?: string | null }): Promise<Patient> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const mrn = input.mrn.trim();
    const duplicate = () => new UserError(`a patient with MRN "${mrn}" already exists in this clinic`);
    try {
      return await this.store.transaction(async (tx) => {
        if (await tx.patientCycles.patientByMrn(grant.clinicId, mrn)) throw duplicate();
        const patient = await tx.patientCycles.createPatient({
          clinicId: grant.clinicId,
          mrn,
          displayName: input.displayName?.trim() || null,
        });
        await tx.audit.append(grant.actor, {
          action: AuditAction.PATIENT_CREATED,
          entity: 'patient',
          entityId: patient.id,
          clinicId: grant.clinicId,
        });
        return patient;
      });
    } catch (error) {
      if (error instanceof DuplicateRecordError) throw duplicate();
      throw error;
    }
  }
}
