import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import type { Clinic, ModelVersion, ScoringRun } from '../entities';
import { ImportService } from '../ingest/import.service';
import type { ImportRunReport } from '../ingest/import-types';
import { requestScoring } from '../jobs/scoring-requests';
import type { AuditActor } from '../platform/audit/audit-actions';
import { UserError } from '../platform/errors';
import type { Logger } from '../platform/logger';
import * as repo from './demo-lab.repository';
import { buildDemoModel, installDemoModel, type DemoModelSpec } from './demo-model';
import { planDemoLab, writeDemoExport, type DemoLabOptions, type WrittenExport } from './synthetic';

export interface SeedDemoLabRequest {
  clinicCode: string;
  lab: DemoLabOptions;
  model: DemoModelSpec;
  /**
   * 'wait': return when the scoring run has finished (a worker must be running, in this process or
   * another); 'queue': return once scoring is queued.
   */
  scoring: 'wait' | 'queue';
  scoringTimeoutMs?: number;
  /** Keep the generated export here; by default it goes to a temporary folder removed afterwards. */
  exportDir?: string;
}

export type DemoStep = 'generate' | 'import-frames' | 'import-cycle-sheet' | 'model' | 'scoring';

export interface DemoLabResult {
  clinic: Clinic;
  written: WrittenExport;
  folderImport: ImportRunReport;
  sheetImport: ImportRunReport;
  model: ModelVersion;
  scoringRun: ScoringRun;
  /** A cycle with embryos in culture, for the printed lab-view query. */
  labViewCycle: { id: string; externalId: string };
  seconds: Record<DemoStep, number>;
}

/**
 * Seeds a demo clinic end to end through the real paths: synthetic folder export → folder import
 * and cycle sheet import (ingest) → untrained AMSNet built, registered and activated (registry) →
 * scoring requested through the job queue. Refuses to seed a clinic twice.
 */
export class DemoLabService {
  constructor(private readonly deps: { dataSource: DataSource; databaseUrl: string; log: Logger }) {}

  async seed(request: SeedDemoLabRequest, actor: AuditActor, onStep?: (step: DemoStep, detail: string) => void): Promise<DemoLabResult> {
    const { dataSource } = this.deps;
    const seconds = {} as Record<DemoStep, number>;
    const timed = async <T>(step: DemoStep, fn: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      try {
        return await fn();
      } finally {
        seconds[step] = (performance.now() - started) / 1000;
      }
    };

    const plan = planDemoLab(request.lab);
    const firstCycle = plan.cycles[0]?.cycleId;
    if (!firstCycle) throw new UserError('the demo lab needs at least one patient');
    const existing = await repo.findClinicByCode(dataSource.manager, request.clinicCode);
    if (existing && (await repo.findCycle(dataSource.manager, existing.id, firstCycle))) {
      throw new UserError(`clinic "${existing.code}" already holds the demo lab (cycle ${firstCycle}); seed another clinic with --clinic <code>`);
    }
    // The model is built before anything is written, so a bad size fails with nothing half-seeded.
    onStep?.('model', `AMSNet width ${request.model.width}, blocks ${request.model.blocks.join('-')}, ${request.model.inputSize} px, untrained`);
    const onnx = await timed('model', () => buildDemoModel(request.model));
    const clinic = existing ?? (await this.createClinic(request.clinicCode, actor));

    const workDir = request.exportDir ?? (await mkdtemp(join(tmpdir(), 'amsnet-demo-')));
    try {
      onStep?.('generate', `${plan.cycles.reduce((n, c) => n + c.embryos.length, 0)} embryos, 7 focal planes, a frame every ${request.lab.frameMinutes} min`);
      const written = await timed('generate', () => writeDemoExport(plan, workDir));
      const imports = new ImportService(dataSource);
      onStep?.('import-frames', `${written.frames * 7} images from ${written.exportDir}`);
      const folderImport = await timed('import-frames', () => imports.importFolder(written.exportDir, { clinicId: clinic.id, actor }));
      requireImported(folderImport, 'folder export');
      onStep?.('import-cycle-sheet', written.cycleSheetPath);
      const sheetImport = await timed('import-cycle-sheet', () => imports.importCycleSheet(written.cycleSheetPath, { clinicId: clinic.id, actor }));
      requireImported(sheetImport, 'cycle sheet');

      const model = await installDemoModel(dataSource, clinic.id, onnx, request.model, actor);

      onStep?.('scoring', request.scoring === 'wait' ? 'queued; waiting for a worker' : 'queued');
      const scoringRun = await timed('scoring', async () => {
        const queued = await requestScoring(
          { dataSource, databaseUrl: this.deps.databaseUrl, log: this.deps.log },
          { clinicId: clinic.id, requestedBy: actor.userId, trigger: 'cli' },
        );
        return request.scoring === 'wait' ? this.waitForRun(queued.id, request.scoringTimeoutMs ?? 10 * 60_000) : queued;
      });

      // The day-5 cycle (in culture, several embryos near blastulation) makes the liveliest lab view.
      const viewCycle = plan.cycles.find((c) => !c.completed) ?? plan.cycles[0];
      const cycle = await repo.findCycle(dataSource.manager, clinic.id, viewCycle.cycleId);
      if (!cycle) throw new Error(`cycle ${viewCycle.cycleId} missing after the cycle sheet import`);
      return { clinic, written, folderImport, sheetImport, model, scoringRun, labViewCycle: { id: cycle.id, externalId: cycle.externalId }, seconds };
    } finally {
      if (!request.exportDir) await rm(workDir, { recursive: true, force: true });
    }
  }

  private async createClinic(code: string, actor: AuditActor): Promise<Clinic> {
    return new AccountsService(this.deps.dataSource).createClinic({ code, name: code === 'demo' ? 'Demo IVF Laboratory' : `Demo lab ${code}` }, actor);
  }

  private async waitForRun(runId: string, timeoutMs: number): Promise<ScoringRun> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await repo.readScoringRun(this.deps.dataSource.manager, runId);
      if (!run) throw new Error(`scoring run ${runId} disappeared`);
      if (repo.FINISHED_RUN_STATUSES.includes(run.status)) return run;
      if (Date.now() > deadline) {
        throw new UserError(`scoring run ${runId} still ${run.status} after ${Math.round(timeoutMs / 1000)} s; is a worker running? (amsnet worker)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** An import that stored nothing means the demo cannot go on; per-item problems are reported, not fatal. */
function requireImported(report: ImportRunReport, what: string): void {
  if (report.status === 'FAILED' || report.counts.stored + report.counts.alreadyStored === 0) {
    const reasons = report.items.filter((i) => i.status === 'failed').slice(0, 5).map((i) => `${i.item}: ${i.reason}`);
    throw new UserError(`the demo ${what} import stored nothing (${report.status}): ${reasons.join('; ') || 'no items'}`);
  }
}
