import { buildAmsnetModel } from '../../src/inference/amsnet/build-model';
import { paramSpecs } from '../../src/inference/amsnet/param-spec';
import { randomStateDict } from '../../src/inference/amsnet/weights';
import type { FloatTensor } from '../../src/inference/onnx/graph-builder';
import { decodeModel } from '../../src/inference/onnx/onnx-proto';
import { floatToHalf, halfToFloat, readSafetensors, writeSafetensors } from '../../src/inference/safetensors';
import { PLANES_3, TINY, buildTiny } from './tiny-models';

const config = { variant: 'amsnet' as const, planes: PLANES_3, ...TINY };

describe('safetensors', () => {
  const tensors = new Map<string, FloatTensor>([
    ['a.weight', { dims: [2, 3], data: Float32Array.from([0, 1, -2.5, 3.140625, 65504, -1e-3]) }],
    ['b', { dims: [1], data: Float32Array.from([0.1]) }],
  ]);

  it('round-trips F32 exactly', () => {
    const back = readSafetensors(writeSafetensors(tensors, 'F32'));
    expect([...back.keys()]).toEqual(['a.weight', 'b']);
    expect(back.get('a.weight')).toEqual({ dtype: 'F32', dims: [2, 3], data: tensors.get('a.weight')!.data });
    expect(back.get('b')!.data![0]).toBe(Math.fround(0.1));
  });

  it('round-trips F16 and BF16 within their precision', () => {
    const f16 = readSafetensors(writeSafetensors(tensors, 'F16'));
    expect(f16.get('a.weight')!.dtype).toBe('F16');
    expect(Array.from(f16.get('a.weight')!.data!)).toEqual([
      0,
      1,
      -2.5,
      3.140625,
      65504,
      halfToFloat(floatToHalf(-1e-3)),
    ]);
    expect(Math.abs(f16.get('b')!.data![0] - 0.1)).toBeLessThan(1e-4);
    const bf16 = readSafetensors(writeSafetensors(tensors, 'BF16'));
    expect(bf16.get('a.weight')!.dtype).toBe('BF16');
    expect(Array.from(bf16.get('a.weight')!.data!.slice(0, 4))).toEqual([0, 1, -2.5, 3.140625]);
    expect(Math.abs(bf16.get('b')!.data![0] - 0.1)).toBeLessThan(1e-3);
  });

  it('builds the same graph from saved weights as from the state dict', async () => {
    const built = await buildTiny('amsnet');
    const again = await buildAmsnetModel({ ...config, weights: writeSafetensors(built.stateDict, 'F32') });
    const a = decodeModel(built.onnx).graph.initializer;
    const b = decodeModel(again.onnx).graph.initializer;
    expect(b.map((t) => t.name)).toEqual(a.map((t) => t.name));
    for (let i = 0; i < a.length; i++)
      expect(Buffer.compare(Buffer.from(a[i].rawData!), Buffer.from(b[i].rawData!))).toBe(0);
    expect(again.trained).toBe(true);
  });
});

describe('weights checks', () => {
  const sd = () => randomStateDict(config, 3);

  it('accepts a complete state dict, including PyTorch num_batches_tracked counters (I64)', async () => {
    const file = writeSafetensors(sd());
    // Append an I64 counter the way PyTorch's state_dict has one per BN.
    const headerLength = Number(file.readBigUInt64LE(0));
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8'));
    const data = file.subarray(8 + headerLength);
    header['bn1.num_batches_tracked'] = { dtype: 'I64', shape: [], data_offsets: [data.length, data.length + 8] };
    const json = Buffer.from(JSON.stringify(header));
    const withCounter = Buffer.concat([Buffer.alloc(8), json, data, Buffer.alloc(8)]);
    withCounter.writeBigUInt64LE(BigInt(json.length), 0);
    expect(readSafetensors(withCounter).get('bn1.num_batches_tracked')).toEqual({ dtype: 'I64', dims: [], data: null });
    await expect(buildAmsnetModel({ ...config, weights: withCounter })).resolves.toBeDefined();
  });

  it('names a missing tensor and its expected shape', async () => {
    const w = sd();
    w.delete('layer2.0.conv2.weight');
    await expect(buildAmsnetModel({ ...config, weights: writeSafetensors(w) })).rejects.toThrow(
      /missing tensor "layer2\.0\.conv2\.weight" \(expected shape \[16,16,3,3\]\)/,
    );
  });

  it('names a mis-shaped tensor with both shapes', async () => {
    const w = sd();
    w.set('fc.weight', { dims: [2, 256], data: new Float32Array(512) });
    await expect(buildAmsnetModel({ ...config, weights: writeSafetensors(w) })).rejects.toThrow(
      /tensor "fc\.weight" has shape \[2,256\], expected \[1,256\]/,
    );
  });

  it('names an unexpected tensor', async () => {
    const w = sd();
    w.set('mfs.extra.weight', { dims: [3], data: new Float32Array(3) });
    await expect(buildAmsnetModel({ ...config, weights: writeSafetensors(w) })).rejects.toThrow(
      /unexpected tensor "mfs\.extra\.weight" with shape \[3\]/,
    );
  });

  it('lists the §6 keys', () => {
    const keys = paramSpecs(config).map((s) => s.key);
    for (const k of [
      'conv1.weight',
      'bn1.running_var',
      'layer1.0.downsample.0.weight',
      'layer4.0.downsample.1.bias',
      'mfs.attention.mlp.2.bias',
      'mfs.reduce.0.weight',
      'mfs.reduce.1.running_mean',
      'mfs.nonlocal.g.bias',
      'mfs.nonlocal.W.0.weight',
      'mfs.nonlocal.W.1.weight',
      'fc.bias',
    ]) {
      expect(keys).toContain(k);
    }
    expect(paramSpecs({ ...config, variant: 'tsm' }).find((s) => s.key === 'conv1.weight')!.dims).toEqual([8, 3, 7, 7]);
  });
});

describe('seeded random models', () => {
  it('same seed → byte-identical ONNX; another seed → another model', async () => {
    const [a, b, c] = await Promise.all([
      buildTiny('amsnet', { seed: 42 }),
      buildTiny('amsnet', { seed: 42 }),
      buildTiny('amsnet', { seed: 43 }),
    ]);
    expect(a.sha256).toBe(b.sha256);
    expect(Buffer.compare(Buffer.from(a.onnx), Buffer.from(b.onnx))).toBe(0);
    expect(c.sha256).not.toBe(a.sha256);
    expect(a.trained).toBe(false);
  });

  it('shares layer1 weights across focal planes (one set of stem/layer1 tensors, not F)', async () => {
    const model = decodeModel((await buildTiny('tsm-channel')).onnx);
    const names = model.graph.initializer.map((t) => t.name);
    expect(names.filter((n) => n === 'layer1.0.conv1.weight')).toHaveLength(1);
    expect(names.some((n) => /plane|\.f\d/.test(n))).toBe(false);
    const conv1 = model.graph.initializer.find((t) => t.name === 'conv1.weight')!;
    expect(conv1.dims.map(Number)).toEqual([8, 1, 7, 7]); // one input channel: each plane separately
    // every layer1 weight is stored once, with the state dict's shape (not one copy per plane)
    const specs = new Map(paramSpecs({ ...config, variant: 'tsm-channel' }).map((p) => [p.key, p.dims]));
    const layer1 = model.graph.initializer.filter((t) => /^layer1\..*weight$/.test(t.name));
    expect(layer1.length).toBeGreaterThan(0);
    for (const t of layer1) expect(t.dims.map(Number)).toEqual(specs.get(t.name));
  });
});
