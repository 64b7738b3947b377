import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpyError, readNpy, writeNpy } from '../../src/inference/npy';
import { UNTRAINED_WARNING } from '../../src/inference/provenance';
import { UserError } from '../../src/platform/errors';
import { runModelCli } from '../helpers/model-cli';
import { frames } from './tiny-models';

function npyWithDescr(descr: string, shape: number[], bytesPerValue: number): Buffer {
  const header =
    `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`.padEnd(118, ' ') + '\n';
  const out = Buffer.alloc(10 + header.length + shape.reduce((a, b) => a * b, 1) * bytesPerValue);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(out);
  out.writeUInt16LE(header.length, 8);
  out.write(header, 10, 'latin1');
  return out;
}

describe('.npy files', () => {
  it('round-trips float32 arrays, 64-byte aligned like NumPy', () => {
    const data = Float32Array.from([1, -2, 3.5, 0, 1e-3, 7]);
    const bytes = writeNpy({ shape: [2, 3], data });
    expect((10 + bytes.readUInt16LE(8)) % 64).toBe(0);
    expect(readNpy(bytes)).toEqual({ shape: [2, 3], data });
    expect(readNpy(writeNpy({ shape: [4], data: new Float32Array(4) })).shape).toEqual([4]);
  });

  it('refuses float64 and truncated files with a message that says what to do', () => {
    expect(() => readNpy(npyWithDescr('<f8', [2], 8))).toThrow(/dtype <f8; expected float32.*astype\(np\.float32\)/);
    expect(() => readNpy(npyWithDescr('<f4', [3], 4).subarray(0, 130))).toThrow(NpyError);
    expect(() => readNpy(Buffer.from('hello world'))).toThrow(/not a NumPy/);
  });
});

describe('amsnet model build / predict / inspect', () => {
  const cli = runModelCli;

  it('builds a tiny model, predicts from .npy (JSON and --out) and inspects it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'amsnet-cli-'));
    const model = join(dir, 'm.onnx');
    const built = await cli([
      'model',
      'build',
      '--variant',
      'tsm',
      '--planes=-15,0,15',
      '--width',
      '8',
      '--blocks',
      '1,1,1,1',
      '--input-size',
      '32',
      '--seed',
      '5',
      '--out',
      model,
    ]);
    expect(built).toMatch(/UNTRAINED random weights \(seed 5\)/);
    const x = join(dir, 'x.npy');
    await writeFile(x, writeNpy({ shape: [2, 3, 3, 32, 32], data: frames(2 * 3 * 3 * 32 * 32) }));
    const answer = JSON.parse(await cli(['model', 'predict', '--model', model, '--frames', x]));
    const printed = answer.probabilities as number[][];
    expect(printed).toHaveLength(2);
    expect(printed[0]).toHaveLength(3);
    // the numbers carry their label: an untrained model's say so in the JSON itself
    const sha256 = createHash('sha256')
      .update(await readFile(model))
      .digest('hex');
    expect(answer).toMatchObject({
      provenance: 'random',
      warning: UNTRAINED_WARNING,
      model: { file: 'm.onnx', sha256, trained: false },
    });
    expect(answer.label).toBe(`m.onnx sha256:${sha256.slice(0, 12)} (random) — ${UNTRAINED_WARNING}`);
    const y = join(dir, 'y.npy');
    await cli(['model', 'predict', '--model', model, '--frames', x, '--out', y]);
    const saved = readNpy(await readFile(y));
    expect(saved.shape).toEqual([2, 3]);
    expect(saved.data[4]).toBeCloseTo(printed[1][1], 5);
    const side = JSON.parse(await readFile(`${y}.json`, 'utf8'));
    expect(side).toMatchObject({ label: answer.label, warning: UNTRAINED_WARNING, shape: [2, 3], file: 'y.npy' });
    const info = await cli(['model', 'inspect', model]);
    expect(info).toMatch(/v1, tsm, planes -15,0,15 µm, S=32/);
    expect(info).toMatch(/streaming\s+yes/);
  });

  it('turns bad inputs into UserErrors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'amsnet-cli-'));
    const model = join(dir, 'm.onnx');
    await cli([
      'model',
      'build',
      '--variant',
      'baseline',
      '--planes=-15,0,15',
      '--width',
      '8',
      '--blocks',
      '1,1,1,1',
      '--input-size',
      '32',
      '--out',
      model,
    ]);
    const wrong = join(dir, 'wrong.npy');
    await writeFile(wrong, writeNpy({ shape: [1, 2, 5, 32, 32], data: new Float32Array(2 * 5 * 32 * 32) }));
    await expect(cli(['model', 'predict', '--model', model, '--frames', wrong])).rejects.toThrow(UserError);
    await expect(cli(['model', 'predict', '--model', model, '--frames', wrong])).rejects.toThrow(
      /shape \(1, 2, 5, 32, 32\); this model needs \[B, T, 3, 32, 32\]/,
    );
    await expect(cli(['model', 'build', '--variant', 'tsm', '--planes=15,0', '--out', model])).rejects.toThrow(
      /strictly ascending/,
    );
    await expect(cli(['model', 'predict', '--model', join(dir, 'missing.onnx'), '--frames', wrong])).rejects.toThrow(
      /cannot read model .*ENOENT/,
    );
  });
});
