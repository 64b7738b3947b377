import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountsService } from '../accounts/accounts.service';
import type { PrivilegedAccess } from '../auth/privileged-access';
import type { Clinic, ModelVersion, ScoringRun } from '../entities';
import type { DataStore } from '../entities/repositories';
import type { ModelRegistryService } from '../inference/registry/model-registry.service';
import type { ImportService } from '../ingest/import.service';
import type { ImportRunReport } from '../ingest/import-types';
import { isFinished, watchScoringRun } from '../jobs/scoring-progress';
import type { ScoringRequests } from '../jobs/scoring-requests';
import { UserError } from '../platform/errors';
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
export interface DemoLabDeps {
  store: DataStore;
  accounts: AccountsService;
  imports: ImportService;
  registry: ModelRegistryService;
  scoring: Pick<ScoringRequests, 'request'>;
}

export class DemoLabService {
  constructor(private readonly deps: DemoLabDeps) {}

  /** Seeds as the operator (`system`, with the demo's own request id in the audit log). */
  async seed(
    request: SeedDemoLabRequest,
    system: PrivilegedAccess,
    onStep?: (step: DemoStep, detail: string) => void,
  ): Promise<DemoLabResult> {
    const { store, imports } = this.deps;
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
    const existing = await store.clinics.byCode(request.clinicCode);
    if (existing && (await store.patientCycles.cycleByExternalId(existing.id, firstCycle))) {
      throw new UserError(
        `clinic "${existing.code}" already holds the demo lab (cycle ${firstCycle}); seed another clinic with --clinic <code>`,
      );
    }
    // The model is built before anything is written, so a bad size fails with nothing half-seeded.
    onStep?.(
      'model',
      `AMSNet width ${request.model.width}, blocks ${request.model.blocks.join('-')}, ${request.model.inputSize} px`,
    );
    const onnx = await timed('model', () => buildDemoModel(request.model));
    onStep?.('model', onnx.provenance ? 'trained on synthetic data (models/demo)' : 'untrained (random weights)');
    const clinic = existing ?? (await this.createClinic(request.clinicCode, system));
    const grant = system.clinic(clinic.id);

    const workDir = request.exportDir ?? (await mkdtemp(join(tmpdir(), 'amsnet-demo-')));
    try {
      onStep?.(
        'generate',
        `${plan.cycles.reduce((n, c) => n + c.embryos.length, 0)} embryos, 7 focal planes, a frame every ${request.lab.frameMinutes} min`,
      );
      const written = await timed('generate', () => writeDemoExport(plan, workDir));
      onStep?.('import-frames', `${written.frames * 7} images from ${written.exportDir}`);
      const folderImport = await timed('import-frames', () => imports.importFolder(written.exportDir, { grant }));
      requireImported(folderImport, 'folder export');
      onStep?.('import-cycle-sheet', written.cycleSheetPath);
      const sheetImport = await timed('import-cycle-sheet', () =>
        imports.importCycleSheet(written.cycleSheetPath, { grant }),
      );
      requireImported(sheetImport, 'cycle sheet');

      const model = await installDemoModel(this.deps.registry, onnx, request.model, {
        registration: system.modelRegistration(),
        clinic: grant,
      });

      onStep?.('scoring', request.scoring === 'wait' ? 'queued; waiting for a worker' : 'queued');
      const scoringRun = await timed('scoring', async () => {
        const queued = await this.deps.scoring.request(grant, {}, 'cli');
        return request.scoring === 'wait'
          ? this.waitForRun(queued.id, request.scoringTimeoutMs ?? 10 * 60_000)
          : queued;
      });

      // The day-5 cycle (in culture, several embryos near blastulation) makes the liveliest lab view.
      const viewCycle = plan.cycles.find((c) => !c.completed) ?? plan.cycles[0];
      const cycle = await store.patientCycles.cycleByExternalId(clinic.id, viewCycle.cycleId);
      if (!cycle) throw new Error(`cycle ${viewCycle.cycleId} missing after the cycle sheet import`);
      return {
        clinic,
        written,
        folderImport,
        sheetImport,
        model,
        scoringRun,
        labViewCycle: { id: cycle.id, externalId: cycle.externalId },
        seconds,
      };
    } finally {
      if (!request.exportDir) await rm(workDir, { recursive: true, force: true });
    }
  }

  private async createClinic(code: string, system: PrivilegedAccess): Promise<Clinic> {
    return this.deps.accounts.createClinic(
      { code, name: code === 'demo' ? 'Demo IVF Laboratory' : `Demo lab ${code}` },
      system.network(),
    );
  }

  private async waitForRun(runId: string, timeoutMs: number): Promise<ScoringRun> {
    const run = await watchScoringRun(this.deps.store, runId, () => undefined, {
      intervalMs: 250,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!isFinished(run)) {
      throw new UserError(
        `scoring run ${runId} still ${run.status} after ${Math.round(timeoutMs / 1000)} s; is a worker running? (amsnet worker)`,
      );
    }
    return run;
  }
}

/** An import that stored nothing means the demo cannot go on; per-item problems are reported, not fatal. */
function requireImported(report: ImportRunReport, what: string): void {
  if (report.status === 'FAILED' || report.counts.stored + report.counts.alreadyStored === 0) {
    const reasons = report.items
      .filter((i) => i.status === 'failed')
      .slice(0, 5)
      .map((i) => `${i.item}: ${i.reason}`);
    throw new UserError(
      `the demo ${what} import stored nothing (${report.status}): ${reasons.join('; ') || 'no items'}`,
    );
  }
}
