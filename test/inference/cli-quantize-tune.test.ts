import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '../../src/inference/npy';
import { decodeModel, metadataOf } from '../../src/inference/onnx/onnx-proto';
import { readTuningFile } from '../../src/inference/tuning-cache';
import { UserError } from '../../src/platform/errors';
import { runModelCli } from '../helpers/model-cli';
import { frames } from './tiny-models';

const tiny = ['--planes=-15,0,15', '--width', '8', '--blocks', '1,1,1,1', '--input-size', '32', '--seed', '3'];

describe('amsnet model build --quantize / model tune', () => {
  let dir: string;
  const savedDataDir = process.env.DATA_DIR;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'amsnet-cli-q-'));
    process.env.DATA_DIR = join(dir, 'data');
  });
  afterAll(async () => {
    if (savedDataDir === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = savedDataDir;
    await rm(dir, { recursive: true, force: true });
  });

  it('builds an int8 model only when asked, with calibration frames, and says so', async () => {
    const calib = join(dir, 'calib.npy');
    await writeFile(calib, writeNpy({ shape: [1, 2, 3, 32, 32], data: frames(2 * 3 * 32 * 32, 4) }));
    const out = join(dir, 'q.onnx');
    const printed = await runModelCli([
      'model',
      'build',
      '--variant',
      'amsnet',
      ...tiny,
      '--out',
      out,
      '--quantize',
      'int8',
      '--calibration',
      calib,
    ]);
    expect(printed).toMatch(/INT8 \(static QDQ, calibrated on 1×2 segments/);
    expect(metadataOf(decodeModel(await readFile(out))).get('amsnet.precision')).toBe('int8');
    expect(await runModelCli(['model', 'inspect', out])).toMatch(/precision\s+INT8/);

    const plain = join(dir, 'f.onnx');
    expect(await runModelCli(['model', 'build', '--variant', 'amsnet', ...tiny, '--out', plain])).toMatch(/float32/);
    expect(metadataOf(decodeModel(await readFile(plain))).has('amsnet.precision')).toBe(false);
    expect(await runModelCli(['model', 'inspect', plain])).toMatch(/precision\s+float32/);

    await expect(
      runModelCli(['model', 'build', '--variant', 'amsnet', ...tiny, '--out', out, '--quantize', 'int8']),
    ).rejects.toThrow(/needs --calibration/);
    await expect(
      runModelCli(['model', 'build', '--variant', 'amsnet', ...tiny, '--out', out, '--calibration', calib]),
    ).rejects.toThrow(UserError);
    const wrong = join(dir, 'wrong.npy');
    await writeFile(wrong, writeNpy({ shape: [1, 2, 3, 16, 16], data: frames(2 * 3 * 16 * 16, 4) }));
    await expect(
      runModelCli([
        'model',
        'build',
        '--variant',
        'amsnet',
        ...tiny,
        '--out',
        out,
        '--quantize',
        'int8',
        '--calibration',
        wrong,
      ]),
    ).rejects.toThrow(/calibration needs \[B, T, 3, 32, 32\]/);
  });

  it('tunes a model once per host and keeps the result in DATA_DIR', async () => {
    const model = join(dir, 't.onnx');
    await runModelCli(['model', 'build', '--variant', 'tsm', ...tiny, '--out', model]);
    const printed = await runModelCli(['model', 'tune', model, '--chunks', '1,2']);
    expect(printed).toMatch(/default settings/);
    expect(printed).toMatch(/chosen: [12] embryo-segments per run/);
    const file = readTuningFile(join(dir, 'data', 'inference-tuning.json'));
    expect(Object.keys(file.entries)).toHaveLength(1);
    expect(await runModelCli(['model', 'tune', model])).toMatch(/tuned on this host/);
    await expect(runModelCli(['model', 'tune', join(dir, 'missing.onnx')])).rejects.toThrow(/cannot read model/);
    await expect(runModelCli(['model', 'tune', model, '--chunks', '0'])).rejects.toThrow();
  });
});
