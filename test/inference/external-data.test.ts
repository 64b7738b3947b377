import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { inspectModel } from '../../src/inference/inspect-model';
import { decodeModel, encodeModel } from '../../src/inference/onnx/onnx-proto';
import { AttributeType } from '../../src/inference/onnx/onnx-schema';
import {
  UnsafeModelError,
  assertSelfContainedModel,
  externalDataPlaces,
} from '../../src/inference/onnx/self-contained';
import { AmsnetPredictor } from '../../src/inference/predictor';
import { createSession } from '../../src/inference/session-factory';
import { writeNpy } from '../../src/inference/npy';
import { UserError } from '../../src/platform/errors';
import { runModelCli } from '../helpers/model-cli';
import { CRAFTED, SECRET, SECRET_FLOAT, enterFolderWithSecret, externalTensor } from '../helpers/external-data-models';
import { buildTiny } from './tiny-models';

/** The graph optimisation levels of ONNX Runtime; amsnet-clinic uses 'all' (sessions), 'disabled' (inspect) and 'basic' (BN calibration). */
const LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
const FRAMES = () => new ort.Tensor('float32', new Float32Array(16), [1, 1, 1, 4, 4]);
const secretBytes = Buffer.from(SECRET).subarray(0, 4).toString('latin1');

function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  return Buffer.from([...out, n]);
}

/** Runs bytes straight through ONNX Runtime at `level`: whether its output is the secret's bytes. */
async function leaksWithoutGate(bytes: Uint8Array, level: (typeof LEVELS)[number]): Promise<boolean> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level, logSeverityLevel: 4 });
  } catch {
    return false;
  }
  try {
    const out = (await session.run({ frames: FRAMES() })).probabilities.data as Float32Array;
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength).toString('latin1') === secretBytes;
  } catch {
    return false;
  } finally {
    await session.release();
  }
}

describe('model files that reference other files (ONNX external data)', () => {
  let leave: () => Promise<void>;
  beforeAll(async () => {
    leave = await enterFolderWithSecret();
  });
  afterAll(async () => leave());

  it('are real attacks: ONNX Runtime alone returns the secret file at every optimisation level', async () => {
    const leaking: Record<string, string[]> = {};
    for (const [where, make] of Object.entries(CRAFTED)) {
      leaking[where] = [];
      for (const level of LEVELS) if (await leaksWithoutGate(make(), level)) leaking[where].push(level);
    }
    // 'all' (what registration and scoring use) stops only the plain initializer, and only because
    // its optimiser happens to read that tensor; a subgraph, a sparse initializer, a Constant, a
    // function or a second graph field reach the file under every level
    expect(leaking).toEqual({
      initializer: ['disabled'],
      'Constant node value': [...LEVELS],
      'Constant node sparse_value': [], // ONNX Runtime cannot run a sparse Constant; refused anyway
      'sparse initializer': [...LEVELS],
      'If subgraph initializer': [...LEVELS],
      'model-local function': [...LEVELS],
      'second graph field': [...LEVELS],
    });
  });

  it('are refused by the gate, which names where the reference sits', () => {
    const expected: Record<string, RegExp> = {
      initializer: /graph "main" › initializer "secret"/,
      'Constant node value': /node "value" › attribute "value" › tensor "secret"/,
      'Constant node sparse_value': /attribute "sparse_value" › unnamed sparse tensor › values "secret"/,
      'sparse initializer': /graph "main" › unnamed sparse initializer › values "secret"/,
      'If subgraph initializer': /node "choose" › attribute "then_branch" › graph "then" › initializer "secret"/,
      'model-local function': /function "Leak" › node "value" › attribute "value" › tensor "secret"/,
      'second graph field': /unnamed graph › unnamed sparse initializer › values "secret"/,
    };
    for (const [where, make] of Object.entries(CRAFTED)) {
      let error: unknown;
      try {
        assertSelfContainedModel(make());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnsafeModelError);
      expect((error as UnsafeModelError).reason).toBe('external-data');
      expect((error as Error).message).toMatch(expected[where]);
      expect((error as Error).message).toMatch(/only self-contained \.onnx files are accepted/);
    }
  });

  it('sees what protobufjs hides: a second graph field is merged by ONNX Runtime, dropped by the decoder', () => {
    const bytes = CRAFTED['second graph field']();
    expect(decodeModel(bytes).graph.sparseInitializer ?? []).toEqual([]);
    expect(externalDataPlaces(bytes)).toHaveLength(1);
  });

  it('refuses data_location EXTERNAL and external_data entries each on their own', () => {
    const withTensor = (t: ReturnType<typeof externalTensor>) =>
      encodeModel({
        ...decodeModel(CRAFTED.initializer()),
        graph: { ...decodeModel(CRAFTED.initializer()).graph, initializer: [t] },
      });
    const { externalData: _e, ...locationOnly } = externalTensor('secret', [1, 1]);
    const { dataLocation: _l, ...entriesOnly } = externalTensor('secret', [1, 1]);
    expect(externalDataPlaces(withTensor(locationOnly))).toEqual(['graph "main" › initializer "secret"']);
    expect(externalDataPlaces(withTensor(entriesOnly))).toEqual(['graph "main" › initializer "secret"']);
  });

  it('refuses truncated protobuf, .ort files and absurd nesting as unreadable, without a stack overflow', async () => {
    const tiny = (await buildTiny('tsm')).onnx;
    expect(() => assertSelfContainedModel(tiny.subarray(0, tiny.length - 3))).toThrow(
      expect.objectContaining({ reason: 'malformed', message: expect.stringMatching(/not a readable ONNX model/) }),
    );
    const ort = Buffer.concat([Buffer.from([0x10, 0, 0, 0]), Buffer.from('ORTM'), Buffer.alloc(32)]);
    expect(() => assertSelfContainedModel(ort)).toThrow(expect.objectContaining({ reason: 'ort-format' }));
    // graph › node › attribute › graph … 40 times: 121 levels (protobufjs itself cannot write it)
    const field = (n: number, body: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2]), varint(body.length), body]);
    let graph = Buffer.alloc(0);
    for (let i = 0; i < 40; i++) graph = field(1, field(5, field(6, graph)));
    const deep = field(7, graph);
    expect(() => assertSelfContainedModel(deep)).toThrow(
      expect.objectContaining({ reason: 'malformed', message: expect.stringMatching(/nested deeper than 100/) }),
    );
  });

  it('stops every path that loads a model before ONNX Runtime sees the bytes', async () => {
    const { onnx } = await buildTiny('tsm');
    const create = jest.spyOn(ort.InferenceSession, 'create');
    try {
      for (const make of Object.values(CRAFTED)) {
        await expect(createSession(make(), ['cpu'])).rejects.toThrow(UnsafeModelError);
        await expect(AmsnetPredictor.load(make())).rejects.toThrow(
          expect.objectContaining({ name: 'ModelContractError', cause: expect.any(UnsafeModelError) }),
        );
        await expect(inspectModel(make())).rejects.toThrow(UnsafeModelError);
      }
      expect(create).not.toHaveBeenCalled();
      // the spy does see sessions: a self-contained model goes through
      await (await createSession(onnx, ['cpu'])).session.release();
      expect(create).toHaveBeenCalledTimes(1);
    } finally {
      create.mockRestore();
    }
  });

  it('model predict and model inspect refuse them with the reason and print nothing of the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'amsnet-crafted-'));
    const model = join(dir, 'crafted.onnx');
    const frames = join(dir, 'x.npy');
    await writeFile(model, CRAFTED['If subgraph initializer']());
    await writeFile(frames, writeNpy({ shape: [1, 1, 1, 4, 4], data: new Float32Array(16) }));
    for (const args of [
      ['model', 'predict', '--model', model, '--frames', frames],
      ['model', 'inspect', model, '--json'],
    ]) {
      const run = runModelCli(args);
      await expect(run).rejects.toThrow(UserError);
      await expect(run).rejects.toThrow(/tensor data in files outside the model/);
      const printed = await run.catch((e: Error) => e.message);
      expect(printed).not.toContain(String(SECRET_FLOAT).slice(0, 6));
    }
  });

  it('lets a self-contained model through unchanged: load, predict, inspect; decode and encode keep its bytes', async () => {
    const { onnx } = await buildTiny('tsm');
    expect(externalDataPlaces(onnx)).toEqual([]);
    expect(Buffer.from(encodeModel(decodeModel(onnx))).equals(Buffer.from(onnx))).toBe(true);
    const predictor = await AmsnetPredictor.load(onnx);
    try {
      const p = await predictor.predict(new Float32Array(3 * 32 * 32).fill(0.5), 1, 1);
      expect(p[0]).toBeGreaterThanOrEqual(0);
      expect(p[0]).toBeLessThanOrEqual(1);
    } finally {
      await predictor.close();
    }
    expect((await inspectModel(onnx)).gflopsPerStep).toBeGreaterThan(0);
    // a Constant with an inline tensor is fine: only references to other files are refused
    const inline = encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [
          {
            name: 'c',
            opType: 'Constant',
            input: [],
            output: ['y'],
            attribute: [
              {
                name: 'value',
                type: AttributeType.TENSOR,
                t: { name: 'v', dims: [1], dataType: 1, floatData: [0.25] },
              },
            ],
          },
        ],
        initializer: [],
        input: [],
        output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }] } } } }],
      },
    });
    expect(() => assertSelfContainedModel(inline)).not.toThrow();
  });
});
