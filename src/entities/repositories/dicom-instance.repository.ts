import type { EntityManager } from 'typeorm';
import { IngestedDicomInstance } from '../ingested-dicom-instance.entity';

/** Which DICOM SOPInstanceUIDs a clinic already holds. */
export class DicomInstanceRepository {
  constructor(private readonly m: EntityManager) {}

  isIngested(clinicId: string, sopInstanceUid: string): Promise<boolean> {
    return this.m.getRepository(IngestedDicomInstance).existsBy({ clinicId, sopInstanceUid });
  }

  /** Serialises two imports of the same instance (two copies of one file in one push). */
  async lock(clinicId: string, sopInstanceUid: string): Promise<void> {
    await this.m.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sop:${clinicId}:${sopInstanceUid}`]);
  }

  async record(input: {
    clinicId: string;
    sopInstanceUid: string;
    embryoId: string;
    frameCount: number;
    importRunId: string;
  }): Promise<void> {
    await this.m.createQueryBuilder().insert().into(IngestedDicomInstance).values(input).orIgnore().execute();
  }
}
