import * as ort from 'onnxruntime-node';
import { sha256Hex } from './amsnet/build-model';
import type { StateSite } from './amsnet/emit-context';
import { streamingFormOf } from './amsnet/streaming-form';
import {
  INPUT_NAME,
  type ModelContract,
  ModelContractError,
  OUTPUT_NAME,
  checkGraphContract,
  contractFromModel,
} from './model-contract';
import { type OnnxModel, decodeModel, metadataOf } from './onnx/onnx-proto';
import { type Precision, precisionOf } from './quantize/quantize-model';
import { UnsafeModelError, assertSelfContainedModel } from './onnx/self-contained';
import { type InferenceLogger, type SessionTuning, createSession, defaultSessionTuning } from './session-factory';
import type { StreamState } from './stream-state';

export interface PredictorOptions {
  /** In order of preference, e.g. ['cuda', 'cpu']; default ['cpu']. */
  executionProviders?: string[];
  /** Embryos per session run; larger batches are split (INFERENCE_MAX_BATCH). Default 4. */
  maxBatch?: number;
  /**
   * Embryo-segments (embryos × segments) per session run, for models that can stream: a
   * trajectory is scored in chunks of ⌊this / embryos⌋ segments (at least 1) that carry the
   * temporal state, equal to one whole run. Activation memory is proportional to it (full-size
   * amsnet F=7: ≈ 1.6 GiB peak RSS at 8), whatever B and T are. Default 8.
   */
  maxEmbryoSegmentsPerRun?: number;
  /** Threads, spinning, denormals, arena: a host's measured best (run-tuning.ts); default defaultSessionTuning(). */
  sessionTuning?: SessionTuning;
  /** Turns ONNX Runtime's profiler on (files `<prefix>_<date>.json`, written by endProfiling()). */
  profilePrefix?: string;
  /** For a file without metadata_props: what the registering user stated. */
  contractOverrides?: Partial<ModelContract>;
  logger?: InferenceLogger;
}

export class PredictorInputError extends Error {
  override name = 'PredictorInputError';
}

/**
 * One loaded AMSNet model. A model made by this builder runs through its streaming form (one
 * session): whole trajectories in chunks of segments, and single new segments with a carried
 * temporal state. A foreign model runs whole trajectories through its own graph.
 */
export class AmsnetPredictor {
  private closed = false;

  private constructor(
    readonly contract: ModelContract,
    readonly sha256: string,
    /** The provider the session actually uses (after any fallback). */
    readonly executionProvider: string,
    readonly maxBatch: number,
    readonly maxEmbryoSegmentsPerRun: number,
    readonly sessionTuning: SessionTuning,
    /** int8 only for a model whose metadata says it was quantised (`amsnet model build --quantize`). */
    readonly precision: Precision,
    private readonly session: ort.InferenceSession,
    /** Shift sites of the streaming form; null for a model that can only run whole trajectories. */
    private readonly sites: StateSite[] | null,
  ) {}

  static async load(onnx: Uint8Array, opts: PredictorOptions = {}): Promise<AmsnetPredictor> {
    // before anything reads the file: what ONNX Runtime loads may be a form derived from it.
    // A file that is not self-contained breaks the contract: callers treat it as a bad model.
    try {
      assertSelfContainedModel(onnx);
    } catch (e) {
      if (e instanceof UnsafeModelError) throw new ModelContractError([e.message], { cause: e });
      throw e;
    }
    let model: OnnxModel;
    try {
      model = decodeModel(onnx);
    } catch (e) {
      throw new ModelContractError([`not a readable ONNX model (${(e as Error).message})`]);
    }
    const contract = contractFromModel(model, opts.contractOverrides);
    checkGraphContract(model, contract);
    const maxBatch = opts.maxBatch ?? 4;
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new Error(`maxBatch must be a positive integer, got ${maxBatch}`);
    const maxEmbryoSegmentsPerRun = opts.maxEmbryoSegmentsPerRun ?? 8;
    if (!Number.isInteger(maxEmbryoSegmentsPerRun) || maxEmbryoSegmentsPerRun < 1)
      throw new Error(`maxEmbryoSegmentsPerRun must be a positive integer, got ${maxEmbryoSegmentsPerRun}`);
    const sha256 = sha256Hex(onnx);
    const streaming = streamingFormOf(model, sha256);
    const sessionTuning = opts.sessionTuning ?? defaultSessionTuning();
    const { session, provider } = await createSession(
      streaming?.onnx ?? onnx,
      opts.executionProviders ?? ['cpu'],
      opts.logger,
      sessionTuning,
      opts.profilePrefix,
    );
    opts.logger?.info(
      {
        sha256,
        variant: contract.variant,
        provider,
        streaming: streaming !== null,
        precision: precisionOf(metadataOf(model)),
      },
      'AMSNet model loaded',
    );
    return new AmsnetPredictor(
      contract,
      sha256,
      provider,
      maxBatch,
      maxEmbryoSegmentsPerRun,
      sessionTuning,
      precisionOf(metadataOf(model)),
      session,
      streaming?.sites ?? null,
    );
  }

  get supportsStreaming(): boolean {
    return this.sites !== null;
  }

  private get imageSize(): number {
    return this.contract.focalPlanesUm.length * this.contract.inputSize * this.contract.inputSize;
  }

  private framesTensor(frames: Float32Array, batch: number, segments: number): ort.Tensor {
    const S = this.contract.inputSize;
    return new ort.Tensor('float32', frames, [batch, segments, this.contract.focalPlanesUm.length, S, S]);
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the predictor is closed');
  }

  /** frames [B,T,F,S,S] in [0,1] → probabilities [B,T] (row-major). */
  async predict(frames: Float32Array, batch: number, segments: number): Promise<Float32Array> {
    this.checkOpen();
    if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(segments) || segments < 1)
      throw new PredictorInputError(`batch and segments must be positive integers, got ${batch} and ${segments}`);
    const per = segments * this.imageSize;
    if (frames.length !== batch * per) {
      const S = this.contract.inputSize;
      throw new PredictorInputError(
        `frames hold ${frames.length} values; [${batch},${segments},${this.contract.focalPlanesUm.length},${S},${S}] needs ${batch * per}`,
      );
    }
    const out = new Float32Array(batch * segments);
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      const part = frames.subarray(start * per, (start + n) * per);
      if (this.sites) {
        out.set(await this.predictInChunks(part, n, segments), start * segments);
      } else {
        const result = await this.session.run({ [INPUT_NAME]: this.framesTensor(part, n, segments) });
        out.set(result[OUTPUT_NAME].data as Float32Array, start * segments);
      }
    }
    return out;
  }

  /** [n,T,…] scored whole, a few segments per run, the temporal state carried between runs. */
  private async predictInChunks(frames: Float32Array, n: number, segments: number): Promise<Float32Array> {
    return (await this.runChunks(frames, n, segments, this.initialState(n))).probabilities;
  }

  /**
   * Scores `segments` new segments per embryo after `state` (null: from segment 0): frames
   * [B,segments,F,S,S] → probabilities [B,segments] and the state after them. Scoring the new
   * segments of embryos whose earlier segments were scored before costs only the new ones.
   */
  async predictFrom(
    frames: Float32Array,
    batch: number,
    segments: number,
    state: StreamState | null,
  ): Promise<{ probabilities: Float32Array; state: StreamState }> {
    this.checkOpen();
    if (!this.sites)
      throw new PredictorInputError(
        'this model cannot stream (it was not built by amsnet-clinic); score whole trajectories with predict()',
      );
    if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(segments) || segments < 1)
      throw new PredictorInputError(`batch and segments must be positive integers, got ${batch} and ${segments}`);
    if (frames.length !== batch * segments * this.imageSize)
      throw new PredictorInputError(
        `frames hold ${frames.length} values; ${batch} embryos × ${segments} segments need ${batch * segments * this.imageSize}`,
      );
    return this.runChunks(frames, batch, segments, state ?? this.initialState(batch));
  }

  private async runChunks(
    frames: Float32Array,
    n: number,
    segments: number,
    state: StreamState,
  ): Promise<{ probabilities: Float32Array; state: StreamState }> {
    const image = this.imageSize;
    const perRun = Math.max(1, Math.floor(this.maxEmbryoSegmentsPerRun / n));
    const out = new Float32Array(n * segments);
    for (let t0 = 0; t0 < segments; t0 += perRun) {
      const tc = Math.min(perRun, segments - t0);
      let chunk: Float32Array;
      if (tc === segments) chunk = frames;
      else if (n === 1)
        chunk = frames.subarray(t0 * image, (t0 + tc) * image); // one embryo: contiguous, no copy
      else {
        chunk = new Float32Array(n * tc * image);
        for (let b = 0; b < n; b++)
          chunk.set(frames.subarray((b * segments + t0) * image, (b * segments + t0 + tc) * image), b * tc * image);
      }
      const result = await this.runStream(chunk, n, tc, state);
      for (let b = 0; b < n; b++) out.set(result.probabilities.subarray(b * tc, (b + 1) * tc), b * segments + t0);
      state = result.state;
    }
    return { probabilities: out, state };
  }

  /** The state before the first segment: zeros at every shift site. */
  initialState(batch: number): StreamState {
    if (!this.sites) throw new PredictorInputError('this model cannot stream');
    return {
      modelSha256: this.sha256,
      batch,
      segments: 0,
      tensors: this.sites.map((s) => ({
        name: s.name,
        dims: [batch, 1, s.planes, s.size],
        data: new Float32Array(batch * s.planes * s.size),
      })),
    };
  }

  /**
   * Scores one new segment per embryo: frames [B,F,S,S], the state after the previous segments
   * (null at segment 0). Equal to predict() on the whole trajectory at that segment, without
   * recomputing the earlier segments.
   */
  async step(
    frames: Float32Array,
    batch: number,
    state: StreamState | null,
  ): Promise<{ probabilities: Float32Array; state: StreamState }> {
    this.checkOpen();
    if (!this.sites)
      throw new PredictorInputError(
        'this model cannot stream (it was not built by amsnet-clinic); score whole trajectories with predict()',
      );
    if (frames.length !== batch * this.imageSize)
      throw new PredictorInputError(
        `frames hold ${frames.length} values; one segment of ${batch} embryos needs ${batch * this.imageSize}`,
      );
    return this.runStream(frames, batch, 1, state ?? this.initialState(batch));
  }

  /** frames [B,tc,F,S,S] after `current` → probabilities [B,tc] and the state after them. */
  private async runStream(
    frames: Float32Array,
    batch: number,
    tc: number,
    current: StreamState,
  ): Promise<{ probabilities: Float32Array; state: StreamState }> {
    const sites = this.sites!;
    if (current.modelSha256 !== this.sha256)
      throw new PredictorInputError(
        `the stream state belongs to model ${current.modelSha256.slice(0, 12)}…, not ${this.sha256.slice(0, 12)}…`,
      );
    if (current.batch !== batch)
      throw new PredictorInputError(`the stream state holds ${current.batch} embryos, the frames ${batch}`);
    if (
      current.tensors.length !== sites.length ||
      current.tensors.some(
        (t, i) => t.name !== sites[i].name || t.data.length !== batch * sites[i].planes * sites[i].size,
      )
    ) {
      throw new PredictorInputError('the stream state does not fit this model');
    }
    const feeds: Record<string, ort.Tensor> = { [INPUT_NAME]: this.framesTensor(frames, batch, tc) };
    for (let i = 0; i < sites.length; i++)
      feeds[sites[i].input] = new ort.Tensor('float32', current.tensors[i].data, [
        batch,
        1,
        sites[i].planes,
        sites[i].size,
      ]);
    const result = await this.session.run(feeds);
    return {
      probabilities: Float32Array.from(result[OUTPUT_NAME].data as Float32Array),
      state: {
        modelSha256: this.sha256,
        batch,
        segments: current.segments + tc,
        tensors: sites.map((s) => ({
          name: s.name,
          dims: [batch, 1, s.planes, s.size],
          data: Float32Array.from(result[s.output].data as Float32Array),
        })),
      },
    };
  }

  /** Writes the profile of a predictor loaded with `profilePrefix` (ONNX Runtime names the file). */
  endProfiling(): void {
    this.checkOpen();
    this.session.endProfiling();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}

// Callers import the predictor module alone: the contract and stream-state functions travel with it.
export { ModelContractError, checkGraphContract, readModelContract, type ModelContract } from './model-contract';
export {
  decodeStreamState,
  encodeStreamState,
  splitStreamState,
  stackStreamStates,
  type StreamState,
} from './stream-state';
export type { InferenceLogger } from './session-factory';
