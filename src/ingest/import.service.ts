import { ClinicGrant } from '../auth/grants';
import { Permission } from '../auth/permissions';
import type { DataStore } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { isUuid } from '../platform/ids';
import { processMetrics } from '../platform/metrics';
import { CycleSheetImportService } from './cycles/cycle-sheet-import.service';
import { DicomImportService } from './dicom/dicom-import.service';
import { FolderImportService } from './folder/folder-import.service';
import type { ImportOptions, ImportRunReport } from './import-types';
import { PdbImportService } from './pdb/pdb-import.service';

/**
 * The ingest library: every import the CLI, jobs and API can start. Each returns the import run
 * report (also stored as import_run + import_run_item) and writes one IMPORT_RUN audit event.
 * Each takes a grant of LAB_WORK in the clinic (DESIGN.md §8: ADMIN or EMBRYOLOGIST).
 */
export class ImportService {
  constructor(private readonly store: DataStore) {}

  /** A folder export in the EmbryoScope dataset layout. */
  async importFolder(path: string, options: ImportOptions): Promise<ImportRunReport> {
    await this.requireClinic(options.grant);
    return observed(new FolderImportService(this.store).import(path, options));
  }

  /** EmbryoScope slide files; `cycleExternalId` puts their embryos into that (existing) cycle. */
  async importPdb(paths: string[], options: ImportOptions & { cycleExternalId?: string }): Promise<ImportRunReport> {
    await this.requireClinic(options.grant);
    if (paths.length === 0) throw new UserError('no slide file given');
    if (options.cycleExternalId !== undefined) {
      const cycle = await this.store.patientCycles.cycleByExternalId(options.grant.clinicId, options.cycleExternalId);
      if (!cycle)
        throw new UserError(`no cycle ${options.cycleExternalId} in this clinic; import its cycle sheet first`);
    }
    return observed(new PdbImportService(this.store).import(paths, options));
  }

  /** A cycle sheet (CSV): patients, cycles and embryos; claims embryos waiting in `unassigned`. */
  async importCycleSheet(path: string, options: ImportOptions): Promise<ImportRunReport> {
    await this.requireClinic(options.grant);
    return observed(new CycleSheetImportService(this.store).import(path, options));
  }

  /**
   * DICOM Part-10 files or folders of them. `focalPlaneTag` (config DICOM_FOCAL_PLANE_TAG, 8 hex
   * digits) names a private attribute with the focal plane when ZOffsetInSlideCoordinateSystem is absent.
   */
  async importDicom(paths: string[], options: ImportOptions & { focalPlaneTag?: string }): Promise<ImportRunReport> {
    await this.requireClinic(options.grant);
    if (paths.length === 0) throw new UserError('no DICOM file or folder given');
    return observed(new DicomImportService(this.store).import(paths, options));
  }

  private async requireClinic(grant: ClinicGrant): Promise<void> {
    const { clinicId } = ClinicGrant.check(grant, Permission.LAB_WORK);
    const exists = isUuid(clinicId) && (await this.store.clinics.exists(clinicId));
    if (!exists) throw new UserError(`no clinic with id ${clinicId}`);
  }
}

/** Import throughput for /metrics (amsnet_import_frames_total / _per_second), once per finished run. */
async function observed(run: Promise<ImportRunReport>): Promise<ImportRunReport> {
  const report = await run;
  if (report.framesStored > 0)
    processMetrics().recordImport(report.framesStored, report.durationMs / 1000, report.kind);
  return report;
}
