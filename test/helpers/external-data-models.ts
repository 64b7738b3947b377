import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxSparseTensor,
  type OnnxTensor,
  type OnnxValueInfo,
  encodeModel,
} from '../../src/inference/onnx/onnx-proto';
import { AttributeType, TensorDataType } from '../../src/inference/onnx/onnx-schema';

/**
 * Crafted models whose one probability comes from a file next to the server's working directory
 * (ONNX external data). Each fits the AMSNet contract (metadata, input "frames" [B,T,1,4,4],
 * output "probabilities" [B,T]), so without a gate it would pass every other check; each hides
 * the reference somewhere else in the file.
 */
export const SECRET_FILE = 'secret.txt';
/** 'TOPS' read as a little-endian float32 is about 9e11: no probability, so a leak would be echoed. */
export const SECRET = 'TOPSECRET-jwt-signing-key-0123456789';
export const SECRET_FLOAT = Buffer.from(SECRET).readFloatLE(0);

const BOOL = 9;
const GRAPH_ATTRIBUTE = 5;
const SPARSE_TENSOR_ATTRIBUTE = 11;
const SIDE = 4;

const floatInfo = (name: string, dims: (number | string)[]): OnnxValueInfo => ({
  name,
  type: {
    tensorType: {
      elemType: TensorDataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

/** A float tensor of `dims` whose bytes are the first bytes of `location`. */
export function externalTensor(name: string, dims: number[], location = SECRET_FILE): OnnxTensor {
  const bytes = 4 * dims.reduce((a, b) => a * b, 1);
  return {
    name,
    dims,
    dataType: TensorDataType.FLOAT,
    externalData: [
      { key: 'location', value: location },
      { key: 'length', value: String(bytes) },
    ],
    dataLocation: 1,
  };
}

function inlineTensor(name: string, dims: number[], values: number[]): OnnxTensor {
  return { name, dims, dataType: TensorDataType.FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) };
}

function sparseSecret(name: string): OnnxSparseTensor {
  return {
    values: externalTensor(name, [1]),
    indices: { name: `${name}_indices`, dims: [1], dataType: TensorDataType.INT64, int64Data: [0] },
    dims: [1, 1],
  };
}

const identity = (input: string, output: string, name = `${output}_identity`): OnnxNode => ({
  name,
  opType: 'Identity',
  input: [input],
  output: [output],
});

function contractModel(graph: Partial<OnnxGraph>, extra: Partial<OnnxModel> = {}): OnnxModel {
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'crafted',
    graph: {
      name: 'main',
      node: [],
      initializer: [],
      input: [floatInfo('frames', ['B', 'T', 1, SIDE, SIDE])],
      output: [floatInfo('probabilities', [1, 1])],
      ...graph,
    },
    metadataProps: [
      ['amsnet.contract', '1'],
      ['amsnet.variant', 'tsm'],
      ['amsnet.focal_planes_um', '0'],
      ['amsnet.input_size', String(SIDE)],
      ['amsnet.segment_hours', '6'],
      ['amsnet.trained', 'true'],
    ].map(([key, value]) => ({ key, value })),
    ...extra,
  };
}

function ifModel(): OnnxModel {
  const branch = (name: string, tensor: OnnxTensor): OnnxGraph => ({
    name,
    node: [identity(tensor.name, `${name}_out`)],
    initializer: [tensor],
    input: [],
    output: [floatInfo(`${name}_out`, [1, 1])],
  });
  return contractModel({
    initializer: [{ name: 'always', dims: [], dataType: BOOL, rawData: Uint8Array.of(1) }],
    node: [
      {
        name: 'choose',
        opType: 'If',
        input: ['always'],
        output: ['probabilities'],
        attribute: [
          { name: 'then_branch', type: GRAPH_ATTRIBUTE, g: branch('then', externalTensor('secret', [1, 1])) },
          { name: 'else_branch', type: GRAPH_ATTRIBUTE, g: branch('else', inlineTensor('half', [1, 1], [0.5])) },
        ],
      },
    ],
  });
}

function functionModel(): OnnxModel {
  return contractModel(
    { node: [{ name: 'call', opType: 'Leak', domain: 'crafted', input: [], output: ['probabilities'] }] },
    {
      opsetImport: [
        { domain: '', version: 17 },
        { domain: 'crafted', version: 1 },
      ],
      functions: [
        {
          name: 'Leak',
          domain: 'crafted',
          input: [],
          output: ['y'],
          opsetImport: [{ domain: '', version: 17 }],
          node: [
            {
              name: 'value',
              opType: 'Constant',
              input: [],
              output: ['y'],
              attribute: [{ name: 'value', type: AttributeType.TENSOR, t: externalTensor('secret', [1, 1]) }],
            },
          ],
        },
      ],
    },
  );
}

/**
 * Two `graph` fields: ONNX Runtime merges them (the first brings the sparse initializer), protobufjs
 * keeps only the last, so a check over the decoded object sees no external data at all.
 */
function mergedGraphsModel(): Uint8Array {
  const hidden = { graph: { sparseInitializer: [sparseSecret('secret')] } } as unknown as OnnxModel;
  const visible = contractModel({ node: [identity('secret', 'probabilities')] });
  return Buffer.concat([encodeModel(hidden), encodeModel(visible)]);
}

/** Every way a crafted model can carry the reference, by name. */
export const CRAFTED: Record<string, () => Uint8Array> = {
  initializer: () =>
    encodeModel(
      contractModel({ initializer: [externalTensor('secret', [1, 1])], node: [identity('secret', 'probabilities')] }),
    ),
  'Constant node value': () =>
    encodeModel(
      contractModel({
        node: [
          {
            name: 'value',
            opType: 'Constant',
            input: [],
            output: ['probabilities'],
            attribute: [{ name: 'value', type: AttributeType.TENSOR, t: externalTensor('secret', [1, 1]) }],
          },
        ],
      }),
    ),
  'Constant node sparse_value': () =>
    encodeModel(
      contractModel({
        node: [
          {
            name: 'value',
            opType: 'Constant',
            input: [],
            output: ['probabilities'],
            attribute: [{ name: 'sparse_value', type: SPARSE_TENSOR_ATTRIBUTE, sparseTensor: sparseSecret('secret') }],
          },
        ],
      }),
    ),
  'sparse initializer': () =>
    encodeModel(
      contractModel({ sparseInitializer: [sparseSecret('secret')], node: [identity('secret', 'probabilities')] }),
    ),
  'If subgraph initializer': () => encodeModel(ifModel()),
  'model-local function': () => encodeModel(functionModel()),
  'second graph field': mergedGraphsModel,
};

/**
 * A contract-fitting model whose probability is a constant of the file itself (no reference), for
 * every embryo and segment: [B, T] = mean(frames)·0 + value (causal, so only the value is on trial).
 */
export function constantModel(value: number): Uint8Array {
  return encodeModel(
    contractModel({
      initializer: [inlineTensor('value', [1], [value]), inlineTensor('zero', [1], [0])],
      node: [
        {
          name: 'mean',
          opType: 'ReduceMean',
          input: ['frames'],
          output: ['m'],
          attribute: [
            { name: 'axes', type: AttributeType.INTS, ints: [2, 3, 4] },
            { name: 'keepdims', type: AttributeType.INT, i: 0 },
          ],
        },
        { name: 'none', opType: 'Mul', input: ['m', 'zero'], output: ['z'] },
        { name: 'constant', opType: 'Add', input: ['z', 'value'], output: ['probabilities'] },
      ],
      output: [floatInfo('probabilities', ['B', 'T'])],
    }),
  );
}

/**
 * Moves the process into a fresh folder holding SECRET_FILE, as a server's working directory holds
 * its DATA_DIR; the returned function moves back and deletes the folder.
 */
export async function enterFolderWithSecret(): Promise<() => Promise<void>> {
  const previous = process.cwd();
  const dir = await mkdtemp(join(tmpdir(), 'amsnet-cwd-'));
  await writeFile(join(dir, SECRET_FILE), SECRET);
  process.chdir(dir);
  return async () => {
    process.chdir(previous);
    await rm(dir, { recursive: true, force: true });
  };
}
