import * as ort from 'onnxruntime-node';
import { untrainedWarning } from '../provenance';

/**
 * The label every probability travels with (issue #16): the model that produced it, the state of
 * its weights and the warning that goes with that state. The warning comes from `untrainedWarning`
 * alone, so what counts as "not for clinical use" is decided in one place (src/inference/provenance).
 */
export interface ScoreLabel {
  modelName: string;
  modelVersion: string;
  /** 'random' (untrained), 'trained' or 'imported'; a model row that says more (provenance) wins. */
  provenance: string;
  warning: string | null;
  /** One line for people: "AMSNet 1 (trained)", "demo 1 (random) — UNTRAINED MODEL: …". */
  text: string;
}

/** The fields of a model version the label needs; `provenance` once model_version records it. */
export interface LabelledModel {
  name: string;
  version: string;
  trained: boolean;
  provenance?: string | null;
}

/** The weights' state: what the model row records, else what `trained` implies. */
export function provenanceState(model: LabelledModel): string {
  return typeof model.provenance === 'string' && model.provenance
    ? model.provenance
    : model.trained
      ? 'trained'
      : 'random';
}

export function scoreLabel(model: LabelledModel): ScoreLabel {
  const provenance = provenanceState(model);
  const warning = untrainedWarning(model);
  const head = `${model.name} ${model.version} (${provenance})`;
  return {
    modelName: model.name,
    modelVersion: model.version,
    provenance,
    warning,
    text: warning ? `${head} — ${warning}` : head,
  };
}

/**
 * Version of the frame → tensor preprocessing (DESIGN.md §5: decode, grayscale, resize to
 * ⌊S·256/224⌋, centre crop, /255 or /65535). Bump it whenever src/inference/preprocess.ts or the
 * segment sampling changes what the model sees, so stored predictions say which recipe fed them.
 */
export const PREPROCESSING_VERSION =
  'amsnet-preprocess/1 (6 h segments, frame nearest 6k+3 hpi, resize ⌊S·256/224⌋, centre crop, /255|/65535)';

/** The software a prediction was computed with, stored beside it (prediction.runtime). */
export interface PredictionRuntime {
  onnxRuntime: string;
  executionProvider: string;
  preprocessing: string;
}

/** The ONNX Runtime version this process runs (the native binding's, as ONNX Runtime reports it). */
export function onnxRuntimeVersionInUse(): string {
  return ort.env.versions?.node ?? ort.env.versions?.common ?? 'unknown';
}

export function predictionRuntime(executionProvider: string): PredictionRuntime {
  return {
    onnxRuntime: onnxRuntimeVersionInUse(),
    executionProvider,
    preprocessing: PREPROCESSING_VERSION,
  };
}
