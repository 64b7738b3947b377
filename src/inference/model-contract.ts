import { type OnnxModel, type OnnxValueInfo, decodeModel, metadataOf } from './onnx/onnx-proto';
import { TensorDataType } from './onnx/onnx-schema';
import { VARIANTS, type Variant, isVariant } from './amsnet/config';

/** What amsnet-clinic needs to know about a model to feed it (DESIGN.md §6). */
export interface ModelContract {
  contractVersion: 1;
  variant: Variant;
  focalPlanesUm: number[];
  inputSize: number;
  segmentHours: number;
  trained: boolean;
}

/** A model that does not fit the §6 contract; the message lists every problem found. */
export class ModelContractError extends Error {
  override name = 'ModelContractError';
  constructor(
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(`the model does not fit the AMSNet contract (DESIGN.md §6): ${problems.join('; ')}`, options);
  }
}

export const INPUT_NAME = 'frames';
export const OUTPUT_NAME = 'probabilities';

function parsePlanes(v: string): number[] | null {
  const planes = v.split(',').map((s) => Number(s.trim()));
  return planes.length && planes.every((p) => Number.isFinite(p)) && v.trim() !== '' ? planes : null;
}

/** Contract from metadata_props; `overrides` state what a foreign file lacks (or correct it). */
export function contractFromModel(model: OnnxModel, overrides: Partial<ModelContract> = {}): ModelContract {
  const meta = metadataOf(model);
  const problems: string[] = [];
  const get = <K extends keyof ModelContract>(
    field: K,
    key: string,
    parse: (v: string) => ModelContract[K] | null,
    expected: string,
  ): ModelContract[K] | undefined => {
    if (overrides[field] !== undefined) return overrides[field] as ModelContract[K];
    const raw = meta.get(key);
    if (raw === undefined) {
      problems.push(`metadata "${key}" is missing (${expected}); state it when registering the model`);
      return undefined;
    }
    const parsed = parse(raw);
    if (parsed === null) problems.push(`metadata "${key}" = "${raw}" is not ${expected}`);
    return parsed ?? undefined;
  };
  const contractVersion = get('contractVersion', 'amsnet.contract', (v) => (v === '1' ? 1 : null), '1');
  const variant = get('variant', 'amsnet.variant', (v) => (isVariant(v) ? v : null), `one of ${VARIANTS.join(', ')}`);
  const focalPlanesUm = get('focalPlanesUm', 'amsnet.focal_planes_um', parsePlanes, 'a comma-separated list of µm');
  const inputSize = get(
    'inputSize',
    'amsnet.input_size',
    (v) => (/^\d+$/.test(v) && Number(v) > 0 ? Number(v) : null),
    'a positive integer',
  );
  const segmentHours = get(
    'segmentHours',
    'amsnet.segment_hours',
    (v) => (Number(v) > 0 ? Number(v) : null),
    'a positive number of hours',
  );
  const trained = get(
    'trained',
    'amsnet.trained',
    (v) => (v === 'true' ? true : v === 'false' ? false : null),
    'true or false',
  );
  if (problems.length) throw new ModelContractError(problems);
  return {
    contractVersion: contractVersion!,
    variant: variant!,
    focalPlanesUm: focalPlanesUm!,
    inputSize: inputSize!,
    segmentHours: segmentHours!,
    trained: trained!,
  };
}

export function readModelContract(onnx: Uint8Array, overrides: Partial<ModelContract> = {}): ModelContract {
  let model: OnnxModel;
  try {
    model = decodeModel(onnx);
  } catch (e) {
    throw new ModelContractError([`not a readable ONNX model (${(e as Error).message})`]);
  }
  return contractFromModel(model, overrides);
}

function describeShape(v: OnnxValueInfo): { elemType?: number; dims: (number | string | undefined)[] | null } {
  const t = v.type?.tensorType;
  if (!t?.shape) return { elemType: t?.elemType, dims: null };
  return {
    elemType: t.elemType,
    dims: (t.shape.dim ?? []).map((d) => (d.dimValue !== undefined ? Number(d.dimValue) : d.dimParam)),
  };
}

/** Checks the graph's declared input/output against the contract; throws listing every mismatch. */
export function checkGraphContract(model: OnnxModel, contract: ModelContract): void {
  const problems: string[] = [];
  const initializers = new Set(model.graph.initializer.map((t) => t.name));
  const inputs = model.graph.input.filter((i) => !initializers.has(i.name));
  const input = inputs.find((i) => i.name === INPUT_NAME);
  if (!input)
    problems.push(`no graph input named "${INPUT_NAME}" (inputs: ${inputs.map((i) => i.name).join(', ') || 'none'})`);
  else {
    const { elemType, dims } = describeShape(input);
    if (elemType !== TensorDataType.FLOAT) problems.push(`input "${INPUT_NAME}" must be float32`);
    if (dims && dims.length !== 5)
      problems.push(`input "${INPUT_NAME}" must have rank 5 [B,T,F,S,S], has rank ${dims.length}`);
    if (dims && dims.length === 5) {
      const F = contract.focalPlanesUm.length;
      const S = contract.inputSize;
      if (typeof dims[2] === 'number' && dims[2] !== F)
        problems.push(`input "${INPUT_NAME}" has ${dims[2]} focal planes, the contract states ${F}`);
      for (const a of [3, 4])
        if (typeof dims[a] === 'number' && dims[a] !== S)
          problems.push(`input "${INPUT_NAME}" has side ${dims[a]}, the contract states input size ${S}`);
    }
  }
  const extra = inputs.filter((i) => i.name !== INPUT_NAME);
  if (extra.length)
    problems.push(
      `unexpected graph inputs ${extra.map((i) => `"${i.name}"`).join(', ')} (only "${INPUT_NAME}" is fed)`,
    );
  const output = model.graph.output.find((o) => o.name === OUTPUT_NAME);
  if (!output)
    problems.push(
      `no graph output named "${OUTPUT_NAME}" (outputs: ${model.graph.output.map((o) => o.name).join(', ') || 'none'})`,
    );
  else {
    const { elemType, dims } = describeShape(output);
    if (elemType !== undefined && elemType !== TensorDataType.FLOAT)
      problems.push(`output "${OUTPUT_NAME}" must be float32`);
    if (dims && dims.length !== 2)
      problems.push(`output "${OUTPUT_NAME}" must have rank 2 [B,T], has rank ${dims.length}`);
  }
  if (problems.length) throw new ModelContractError(problems);
}
