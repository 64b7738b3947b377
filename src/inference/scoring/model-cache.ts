import type { ModelRepository } from '../../entities/repositories';
import type { ModelContract } from '../model-contract';
import { AmsnetPredictor } from '../predictor';
import type { RunTuning } from '../run-tuning';
import type { InferenceLogger } from '../session-factory';

export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
}

export interface PredictorSettings {
  executionProviders: string[];
  maxBatch: number;
  logger?: InferenceLogger;
  /** This host's measured run settings for a model (`amsnet model tune`), if any. */
  tuningOf?: (modelSha256: string) => RunTuning | undefined;
}

/**
 * Loaded predictors of this process, by model version: an ONNX session takes seconds to create
 * for a full-size model, and a worker scores many batches with the same model. A worker keeps at
 * most `capacity` models; the least recently used is released.
 */
export class PredictorCache {
  private readonly loaded = new Map<string, Promise<AmsnetPredictor>>();

  constructor(
    private readonly models: Pick<ModelRepository, 'onnxOf'>,
    private readonly settings: PredictorSettings,
    private readonly capacity = 2,
  ) {}

  /** The predictor of a model version; loads it (bytes from the database) on first use. */
  async get(modelVersionId: string): Promise<{ predictor: AmsnetPredictor; loadedNow: boolean }> {
    const cached = this.loaded.get(modelVersionId);
    if (cached) {
      this.loaded.delete(modelVersionId);
      this.loaded.set(modelVersionId, cached); // most recently used last
      return { predictor: await cached, loadedNow: false };
    }
    const loading = this.load(modelVersionId);
    this.loaded.set(modelVersionId, loading);
    // A model that fails to load is not cached: the next job tries again (and fails with the reason).
    loading.catch(() => this.loaded.delete(modelVersionId));
    await this.evict();
    return { predictor: await loading, loadedNow: true };
  }

  private async load(modelVersionId: string): Promise<AmsnetPredictor> {
    const row = await this.models.onnxOf(modelVersionId);
    if (!row) throw new ModelNotFoundError(`model version ${modelVersionId} does not exist`);
    const tuning = this.settings.tuningOf?.(row.sha256.trim());
    const predictor = await AmsnetPredictor.load(row.onnx, {
      executionProviders: this.settings.executionProviders,
      maxBatch: this.settings.maxBatch,
      sessionTuning: tuning?.session,
      maxEmbryoSegmentsPerRun: tuning?.embryoSegmentsPerRun,
      logger: this.settings.logger,
      // The contract as registered: a file without amsnet metadata was registered with a stated one.
      contractOverrides: row.contract as Partial<ModelContract>,
    });
    if (predictor.sha256 !== row.sha256.trim()) {
      await predictor.close();
      throw new ModelNotFoundError(`model version ${modelVersionId}: stored bytes do not match its sha256`);
    }
    return predictor;
  }

  private async evict(): Promise<void> {
    while (this.loaded.size > this.capacity) {
      const [oldest, promise] = this.loaded.entries().next().value as [string, Promise<AmsnetPredictor>];
      this.loaded.delete(oldest);
      await promise.then((p) => p.close()).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    await Promise.all(all.map((p) => p.then((x) => x.close()).catch(() => undefined)));
  }
}
