/**
 * The AMSNet graph builder (DESIGN.md §6): configuration, weights, and the ONNX model.
 * Running a model is the predictor's job (src/inference/predictor.ts).
 */
export {
  type AmsnetConfig,
  AmsnetConfigError,
  FULL_SIZE,
  VARIANTS,
  type Variant,
  isVariant,
  validateConfig,
} from './config';
export { type BuildOptions, type BuiltModel, buildAmsnetModel, sha256Hex } from './build-model';
export { type ParamSpec, paramSpecs } from './param-spec';
export { type StateDict, WeightsError, randomStateDict, stateDictFromSafetensors } from './weights';
export { syntheticFrames } from './calibrate-batch-norm';
