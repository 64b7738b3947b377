import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ClinicGrant } from '../../auth/grants';
import { Permission } from '../../auth/permissions';
import { AuditAction } from '../../entities';
import type { DataStore, ExportableEmbryo } from '../../entities/repositories';
import { UserError } from '../../platform/errors';
import { preprocessFrame } from '../preprocess';
import type { SegmentSample } from '../sampling/sample-segments';
import { sampleSegmentViews } from '../sampling/sample-views';
import { completeSegmentCount } from '../sampling/timeline';
import {
  csvLine,
  datasetReadme,
  LABELS_CSV_COLUMNS,
  writeEmbryoFrames,
  writeEmbryoViews,
  type DatasetFormat,
} from './dataset-files';
import { safeErrorText } from '../../platform/safe-error';
import {
  DEFAULT_FRACTIONS,
  SPLIT_NAMES,
  splitByGroup,
  validateFractions,
  type SplitFractions,
  type SplitName,
} from './dataset-split';

/** The paper's seven planes, used when neither the caller nor an active model says otherwise. */
export const PAPER_PLANES = [-45, -30, -15, 0, 15, 30, 45];

export interface DatasetExportRequest {
  outDir: string;
  /** default: the clinic's active model's planes, else the paper's seven */
  planes?: number[];
  inputSize?: number;
  format?: DatasetFormat;
  seed?: number;
  fractions?: SplitFractions;
  /** Frames kept per 6 h segment (1: the one scoring uses; more: the trainer draws one at random). */
  framesPerSegment?: number;
  from?: Date | null;
  to?: Date | null;
  onProgress?: (done: number, total: number) => void;
}

export interface DatasetExportReport {
  outDir: string;
  format: DatasetFormat;
  planes: number[];
  inputSize: number;
  seed: number;
  fractions: SplitFractions;
  framesPerSegment: number;
  embryos: number;
  splits: Record<SplitName, { embryos: number; blastocysts: number; patients: number }>;
  skipped: Array<{ embryoId: string; reason: string }>;
}

/** Patients appear in the export only as a one-way key, enough to keep siblings together. */
const groupKey = (e: ExportableEmbryo) =>
  createHash('sha256')
    .update(e.patientId ?? `embryo:${e.embryoId}`)
    .digest('hex')
    .slice(0, 16);

/**
 * Writes a clinic's embryos with recorded outcomes as a training set (frames sampled and
 * preprocessed like the scoring worker does, labels, patient-grouped split). Everything is written
 * to a staging folder beside the target and renamed into place at the end, so a failed export
 * leaves no half-written dataset; an embryo whose frames cannot be read is skipped with the reason.
 */
export class DatasetExportService {
  constructor(private readonly store: DataStore) {}

  /** The grant's clinic (MANAGE: its patients' data leaves the system). */
  async export(request: DatasetExportRequest, grant: ClinicGrant): Promise<DatasetExportReport> {
    const { clinicId } = ClinicGrant.check(grant, Permission.MANAGE);
    const format = request.format ?? 'png';
    const inputSize = request.inputSize ?? 224;
    const seed = request.seed ?? 42;
    const fractions = request.fractions ?? DEFAULT_FRACTIONS;
    const framesPerSegment = request.framesPerSegment ?? 1;
    if (!Number.isInteger(framesPerSegment) || framesPerSegment < 1 || framesPerSegment > 36)
      throw new UserError('frames per segment must be a whole number from 1 to 36 (a segment is 6 h)');
    try {
      validateFractions(fractions);
    } catch (error) {
      throw new UserError((error as Error).message);
    }
    if (!Number.isInteger(inputSize) || inputSize < 8 || inputSize > 1024)
      throw new UserError('input size must be a whole number of pixels from 8 to 1024');
    const outDir = resolve(request.outDir);
    await assertEmptyOrAbsent(outDir);
    const planes = request.planes ?? (await this.defaultPlanes(clinicId));
    if (planes.length === 0 || planes.some((p, i) => !Number.isInteger(p) || (i > 0 && p <= planes[i - 1])))
      throw new UserError('planes must be whole µm, strictly ascending');

    const embryos = await this.store.embryos.exportable(clinicId, request);
    if (embryos.length === 0)
      throw new UserError('no embryo of this clinic has a recorded outcome (in this period): nothing to export');

    const staging = join(dirname(outDir), `.${basename(outDir)}.partial-${randomBytes(4).toString('hex')}`);
    await mkdir(join(staging, 'frames'), { recursive: true });
    try {
      const skipped: DatasetExportReport['skipped'] = [];
      const written: Array<{
        embryo: ExportableEmbryo;
        path: string;
        segments: number;
        imputed: number;
        views: string[];
      }> = [];
      for (const [index, embryo] of embryos.entries()) {
        try {
          written.push({
            embryo,
            ...(await this.writeEmbryo(staging, embryo, planes, inputSize, format, framesPerSegment)),
          });
        } catch (error) {
          // nothing of a skipped embryo stays behind
          await rm(join(staging, 'frames', embryo.embryoId), { recursive: true, force: true });
          await rm(join(staging, 'frames', `${embryo.embryoId}.npy`), { force: true });
          skipped.push({ embryoId: embryo.embryoId, reason: safeErrorText(error) });
        }
        request.onProgress?.(index + 1, embryos.length);
      }
      if (written.length === 0)
        throw new UserError(`no embryo could be exported: ${skipped[0]?.reason ?? 'no frames'}`);

      const groupSizes = new Map<string, number>();
      for (const w of written) groupSizes.set(groupKey(w.embryo), (groupSizes.get(groupKey(w.embryo)) ?? 0) + 1);
      const assignment = splitByGroup(groupSizes, fractions, seed);
      const splits = Object.fromEntries(
        SPLIT_NAMES.map((s) => [s, { embryos: 0, blastocysts: 0, patients: 0 }]),
      ) as DatasetExportReport['splits'];
      for (const split of assignment.values()) splits[split].patients++;
      const lines = [csvLine([...LABELS_CSV_COLUMNS])];
      for (const w of written) {
        const group = groupKey(w.embryo);
        const split = assignment.get(group)!;
        splits[split].embryos++;
        if (w.embryo.outcome === 'BLASTOCYST') splits[split].blastocysts++;
        lines.push(
          csvLine([
            w.embryo.embryoId,
            w.embryo.externalId,
            w.embryo.cycleExternalId,
            w.embryo.label,
            group,
            split,
            w.embryo.outcome === 'BLASTOCYST' ? 1 : 0,
            w.embryo.outcome,
            w.segments,
            w.imputed,
            w.path,
          ]),
        );
      }
      const report: DatasetExportReport = {
        outDir,
        format,
        planes,
        inputSize,
        seed,
        fractions,
        framesPerSegment,
        embryos: written.length,
        splits,
        skipped,
      };
      await writeFile(join(staging, 'labels.csv'), lines.join('\n') + '\n');
      if (framesPerSegment > 1)
        await writeFile(
          join(staging, 'views.csv'),
          [csvLine(['embryo_id', 'segment', 'view', 'hpi']), ...written.flatMap((w) => w.views)].join('\n') + '\n',
        );
      await writeFile(
        join(staging, 'manifest.json'),
        JSON.stringify(
          {
            ...report,
            outDir: undefined,
            clinicId,
            from: request.from ?? null,
            to: request.to ?? null,
            createdAt: new Date(),
          },
          null,
          2,
        ) + '\n',
      );
      await writeFile(join(staging, 'README.txt'), datasetReadme(format, planes, inputSize));

      await this.store.audit.append(grant.actor, {
        action: AuditAction.EXPORT_DATASET,
        entity: 'clinic',
        entityId: clinicId,
        clinicId,
        detail: { embryos: written.length, skipped: skipped.length, format, planes, inputSize, seed },
      });
      await rmdir(outDir).catch(() => undefined); // an empty target folder gives way to the finished export
      await rename(staging, outDir);
      return report;
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  private async writeEmbryo(
    root: string,
    embryo: ExportableEmbryo,
    planes: number[],
    size: number,
    format: DatasetFormat,
    perSegment: number,
  ): Promise<{ path: string; segments: number; imputed: number; views: string[] }> {
    // an outcome is recorded, so culture is over: the segment of the last frame counts as complete
    const segments = completeSegmentCount(embryo.latestFrameHpi, embryo.cultureEndedHpi ?? embryo.latestFrameHpi);
    if (segments === 0) throw new Error('no frames');
    const frames = (await this.store.embryos.frameRefs([embryo.embryoId])).get(embryo.embryoId) ?? [];
    const views = sampleSegmentViews(frames, planes, segments, perSegment);
    const samples = views.map((v) => v[0]);
    const images = await this.store.embryos.images([
      ...new Set(views.flat().flatMap((s) => s.frames.map((f) => f.sha256))),
    ]);
    const decode = (s: SegmentSample) =>
      Promise.all(
        s.frames.map((f) => {
          const bytes = images.get(f.sha256)?.bytes;
          if (!bytes) throw new Error(`frame image ${f.sha256.slice(0, 12)}… is missing`);
          return preprocessFrame(bytes, size);
        }),
      );
    const pixels = await Promise.all(views.map((segment) => Promise.all(segment.map(decode))));
    const path =
      perSegment > 1
        ? await writeEmbryoViews(root, embryo.embryoId, planes, pixels, size, format, perSegment)
        : await writeEmbryoFrames(
            root,
            embryo.embryoId,
            planes,
            pixels.map((segment) => segment[0]),
            size,
            format,
          );
    const viewRows = views.flatMap((segment, k) =>
      segment.map((s, v) => csvLine([embryo.embryoId, k, v, s.frames[0].hpi.toFixed(2)])),
    );
    return { path, segments, imputed: samples.filter((s) => s.imputed).length, views: viewRows };
  }

  private async defaultPlanes(clinicId: string): Promise<number[]> {
    return (await this.store.models.activeClinicModel(clinicId))?.modelVersion?.planes ?? PAPER_PLANES;
  }
}

async function assertEmptyOrAbsent(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    return; // absent: fine
  }
  if (!info.isDirectory() || (await readdir(dir)).length > 0)
    throw new UserError(
      `${dir} exists and is not an empty folder; choose a new folder so no dataset gets mixed with another`,
    );
}
