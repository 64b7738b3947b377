import { AmsnetPredictor, ModelContractError, readModelContract, type ModelContract } from '../predictor';
import { SEGMENT_HOURS } from '../../entities';
import { decodeModel, metadataOf } from '../onnx/onnx-proto';
import { UnsafeModelError, assertSelfContainedModel } from '../onnx/self-contained';
import { assertCausal } from './causality-check';
import { ModelRefusedError } from './model-refusal';

/** What a caller may state about a file whose metadata_props lack (or misstate) the contract. */
export type ContractOverrides = Partial<Pick<ModelContract, 'variant' | 'focalPlanesUm' | 'inputSize' | 'trained'>>;

/** The contract a file passed with, and what running it showed. */
export interface CheckedContract {
  contract: ModelContract;
  executionProvider: string;
  /** the probability the model gave one blank input (kept as evidence that it ran) */
  probeProbability: number;
}

/**
 * Admits a model only if it really fulfils the AMSNet contract (DESIGN.md §6): it is one
 * self-contained file (no tensor data read from elsewhere), its metadata (or the caller's
 * statements) parse, ONNX Runtime loads it, and one tiny input [1, 1, F, S, S] of mid-grey frames
 * gives one probability in [0, 1], and changing later segments of a sequence never changes earlier
 * outputs (causality-check.ts). Any failure is a ModelRefusedError naming the reason, so the file
 * is refused before anything is stored. Messages never quote what the model computed: a model's
 * outputs and runtime errors could carry data the model should not have had.
 */
export async function checkModelContract(onnx: Uint8Array, stated: ContractOverrides = {}): Promise<CheckedContract> {
  if (onnx.length === 0) throw new ModelRefusedError('empty-file', 'the file is empty');
  try {
    assertSelfContainedModel(onnx);
  } catch (error) {
    if (error instanceof UnsafeModelError)
      throw new ModelRefusedError(error.reason === 'malformed' ? 'unreadable' : error.reason, error.message);
    throw error;
  }
  let overrides: Partial<ModelContract>;
  let contract: ModelContract;
  try {
    overrides = completeStatedContract(onnx, stated);
    contract = readModelContract(onnx, overrides);
  } catch (error) {
    throw new ModelRefusedError('contract', reason(error));
  }
  if (contract.segmentHours !== SEGMENT_HOURS) {
    throw new ModelRefusedError(
      'segment-length',
      `it predicts every ${contract.segmentHours} h, amsnet-clinic samples ${SEGMENT_HOURS} h segments`,
    );
  }
  let predictor: AmsnetPredictor;
  try {
    // the caller's statements travel with the load; the scoring worker must load a stored version
    // the same way, passing model_version.contract as contractOverrides
    predictor = await AmsnetPredictor.load(onnx, {
      executionProviders: ['cpu'],
      maxBatch: 1,
      contractOverrides: overrides,
    });
  } catch (error) {
    if (error instanceof ModelContractError) throw new ModelRefusedError('contract', reason(error));
    throw new ModelRefusedError('load-failed', `ONNX Runtime cannot load it: ${reason(error)}`);
  }
  try {
    const planes = contract.focalPlanesUm.length;
    const size = contract.inputSize;
    const frames = new Float32Array(planes * size * size).fill(0.5);
    let output: Float32Array;
    try {
      output = await predictor.predict(frames, 1, 1);
    } catch {
      throw new ModelRefusedError(
        'run-failed',
        `ONNX Runtime failed running it on a [1, 1, ${planes}, ${size}, ${size}] input of mid-grey frames`,
      );
    }
    if (output.length !== 1)
      throw new ModelRefusedError('output-count', 'it must give exactly 1 probability for 1 embryo × 1 segment');
    const probability = output[0];
    if (!Number.isFinite(probability) || probability < 0 || probability > 1) {
      throw new ModelRefusedError(
        'not-a-probability',
        'its output for a mid-grey input is not a probability in [0, 1]',
      );
    }
    // whoever built it: a look-ahead would let later frames rewrite probabilities already shown
    await assertCausal(predictor);
    return { contract, executionProvider: predictor.executionProvider, probeProbability: probability };
  } finally {
    await predictor.close();
  }
}

/**
 * A caller who states a contract for a foreign file states what varies (variant, planes, input size,
 * trained); the contract version and the 6 h segment are the only ones amsnet-clinic knows, so they
 * are filled in where the file's metadata says nothing. What the metadata does say is never overridden
 * by these defaults.
 */
function completeStatedContract(onnx: Uint8Array, stated: ContractOverrides): Partial<ModelContract> {
  if (Object.keys(stated).length === 0) return {};
  let meta: Map<string, string>;
  try {
    meta = metadataOf(decodeModel(onnx));
  } catch {
    return { ...stated }; // unreadable: readModelContract reports it
  }
  if (stated.trained === true && meta.get('amsnet.trained') === 'false') {
    // a random-weight model must never be passed off as trained: its numbers would lose their label
    throw new Error(
      'the file says its weights are untrained (amsnet.trained=false); it cannot be registered as trained',
    );
  }
  const completed: Partial<ModelContract> = { ...stated };
  if (!meta.has('amsnet.contract')) completed.contractVersion = 1;
  if (!meta.has('amsnet.segment_hours')) completed.segmentHours = SEGMENT_HOURS;
  return completed;
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0].slice(0, 500);
}
