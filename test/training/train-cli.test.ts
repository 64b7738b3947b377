import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNpy } from '../../src/inference/npy';
import { childEnv, runCli } from '../helpers/cli';

/** A toy export (float32 .npy, 3 planes, 32 px): bright embryos are blastocysts. */
function toyDataset(root: string, labels: number[]): void {
  mkdirSync(join(root, 'frames'), { recursive: true });
  writeFileSync(join(root, 'manifest.json'), JSON.stringify({ planes: [-15, 0, 15], inputSize: 32, format: 'npy' }));
  const rows = ['embryo_id,external_id,cycle,well,patient_group,split,label,outcome,segments,imputed_segments,path'];
  labels.forEach((label, i) => {
    const data = new Float32Array(28 * 3 * 32 * 32).fill(label ? 0.8 : 0.2);
    writeFileSync(join(root, 'frames', `e${i}.npy`), writeNpy({ shape: [28, 3, 32, 32], data }));
    rows.push(`e${i},e${i},c,${i},p${i},${i < labels.length - 2 ? 'train' : 'val'},${label},x,20,0,frames/e${i}.npy`);
  });
  writeFileSync(join(root, 'labels.csv'), rows.join('\n') + '\n');
}

const TINY = ['--width', '8', '--blocks', '1,1,1,1', '--epochs', '1', '--threads', '1'];

describe('amsnet train', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'amsnet-train-cli-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains, builds the ONNX model and writes weights, manifest and model', async () => {
    toyDataset(join(dir, 'ok'), [1, 0, 1, 0, 1, 0]);
    const out = join(dir, 'ok-out');
    const result = await runCli(['train', '--dataset', join(dir, 'ok'), '--out', out, '--variant', 'tsm', ...TINY], {
      timeoutMs: 120_000,
    });
    expect(result.stderr).not.toMatch(/Error|Traceback/);
    expect(result.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'model.onnx', 'weights.safetensors']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.onnx.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.model).toMatchObject({ variant: 'tsm', width: 8, planes: [-15, 0, 15] });
    expect(result.stdout).toMatch(/epoch 1\/1: train loss/);
  }, 150_000);

  it.each([
    ['one class only', [1, 1, 1, 1, 0, 1], [], /the training split holds only blastocysts/],
    ['mismatched planes', [1, 0, 1, 0, 1, 0], ['--planes=-30,0,30'], /planes -30,30 µm are not in the dataset/],
    ['an empty dataset', [], [], /the dataset is empty/],
  ])(
    'refuses %s with one clear line and writes nothing',
    async (name, labels, extra, message) => {
      const data = join(dir, name.replace(/ /g, '-'));
      toyDataset(data, labels as number[]);
      const out = join(dir, `${name.replace(/ /g, '-')}-out`);
      const result = await runCli(['train', '--dataset', data, '--out', out, ...TINY, ...(extra as string[])]);
      expect(result.code).not.toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message as RegExp);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
    },
    60_000,
  );

  it('says how to install PyTorch when python3 or torch is missing', async () => {
    const result = await runCli(['train', '--dataset', join(dir, 'ok'), '--out', join(dir, 'never')], {
      env: childEnv({ AMSNET_PYTHON: '/nonexistent/python3' }),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/apt-get install python3-torch python3-numpy/);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});
