import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportService } from '../import.service';
import type { ImportOptions, ImportRunReport } from '../import-types';
import { sopIdentity } from './sop-identity';

/** Failure reasons of a STOW-RS answer (PS3.18 §10.5.3, the C-STORE status codes). */
export const STOW_FAILURE = {
  /** 0110H: Processing failure (refused by the importer: unknown cycle, wrong patient, bad frames). */
  PROCESSING_FAILURE: 0x0110,
  /** 0122H: SOP class not supported (not an image the importer takes). */
  SOP_CLASS_NOT_SUPPORTED: 0x0122,
  /** C000H: Cannot understand (not Part 10, corrupt, unsupported encoding). */
  CANNOT_UNDERSTAND: 0xc000,
} as const;

/** One instance of a STOW-RS request, as the answer reports it. */
export interface StowInstance {
  sopClassUid: string | null;
  sopInstanceUid: string | null;
  /** `stored` includes an instance the clinic already held (a re-sent instance succeeds again). */
  outcome: 'stored' | 'alreadyStored' | 'failed';
  failureReason: number | null;
  reason: string | null;
}

export interface StowResult {
  report: ImportRunReport;
  instances: StowInstance[];
}

/**
 * Stores the instances of one STOW-RS request through the DICOM importer, as one import run: each
 * instance is written to a private temporary file (the importer works on files; the folder is
 * removed afterwards), imported with the same rules as a DICOM folder, and reported by its UIDs.
 */
export class StowService {
  constructor(private readonly imports: Pick<ImportService, 'importDicom'>) {}

  async store(
    instances: { bytes: Buffer; refused?: string }[],
    options: ImportOptions & { focalPlaneTag?: string; sourceLabel: string },
  ): Promise<StowResult> {
    const dir = await mkdtemp(join(tmpdir(), 'amsnet-stow-'));
    try {
      const paths: string[] = [];
      for (const [i, part] of instances.entries()) {
        const path = join(dir, `${String(i + 1).padStart(6, '0')}.dcm`);
        paths.push(path);
        if (!part.refused) await writeFile(path, part.bytes, { mode: 0o600 });
      }
      const accepted = paths.filter((_, i) => !instances[i].refused);
      const report =
        accepted.length > 0 ? await this.imports.importDicom(accepted, options) : emptyReport(options.sourceLabel);
      const byPath = new Map(report.items.map((item) => [item.item, item]));
      return {
        report,
        instances: instances.map((part, i) => {
          const identity = sopIdentity(part.bytes);
          const ids = { sopClassUid: identity?.sopClassUid ?? null, sopInstanceUid: identity?.sopInstanceUid ?? null };
          if (part.refused)
            return { ...ids, outcome: 'failed', failureReason: STOW_FAILURE.CANNOT_UNDERSTAND, reason: part.refused };
          const item = byPath.get(paths[i]);
          if (item?.status === 'stored' || item?.status === 'alreadyStored')
            return { ...ids, outcome: item.status, failureReason: null, reason: item.reason };
          const reason = item?.reason ?? 'not imported';
          return { ...ids, outcome: 'failed', failureReason: failureReasonOf(identity !== null, reason), reason };
        }),
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function failureReasonOf(parsed: boolean, reason: string): number {
  if (!parsed || /truncated or corrupt|not a DICOM Part 10|unsupported transfer syntax/.test(reason))
    return STOW_FAILURE.CANNOT_UNDERSTAND;
  if (/^SOP class /.test(reason)) return STOW_FAILURE.SOP_CLASS_NOT_SUPPORTED;
  return STOW_FAILURE.PROCESSING_FAILURE;
}

function emptyReport(source: string): ImportRunReport {
  return {
    importRunId: '',
    kind: 'DICOM',
    source,
    status: 'FAILED',
    counts: { stored: 0, alreadyStored: 0, skipped: 0, failed: 0 },
    framesStored: 0,
    framesAlreadyStored: 0,
    items: [],
    aborted: false,
    durationMs: 0,
  };
}
