import { decodeModel, encodeModel, type OnnxModel } from '../../src/inference/onnx/onnx-proto';
import { AmsnetPredictor, ModelContractError, readModelContract } from '../../src/inference/predictor';
import { buildTiny, frames } from './tiny-models';

async function tinyModel(): Promise<{ bytes: Uint8Array; model: OnnxModel }> {
  const bytes = (await buildTiny('tsm')).onnx;
  return { bytes, model: decodeModel(bytes) };
}

describe('model contract', () => {
  it('reads the metadata of a model this builder made', async () => {
    const { bytes } = await tinyModel();
    expect(readModelContract(bytes)).toEqual({
      contractVersion: 1,
      variant: 'tsm',
      focalPlanesUm: [-15, 0, 15],
      inputSize: 32,
      segmentHours: 6,
      trained: false,
    });
  });

  it('refuses a model without metadata, naming each missing key; the caller may state them', async () => {
    const { bytes, model } = await tinyModel();
    const bare = encodeModel({ ...model, metadataProps: [] });
    expect(() => readModelContract(bare)).toThrow(ModelContractError);
    expect(() => readModelContract(bare)).toThrow(/"amsnet.variant" is missing.*"amsnet.focal_planes_um" is missing/);
    const stated = {
      contractVersion: 1 as const,
      variant: 'tsm' as const,
      focalPlanesUm: [-15, 0, 15],
      inputSize: 32,
      segmentHours: 6,
      trained: true,
    };
    expect(readModelContract(bare, stated)).toEqual(stated);
    await expect(AmsnetPredictor.load(bare)).rejects.toThrow(ModelContractError);
    const p = await AmsnetPredictor.load(bare, { contractOverrides: stated });
    // metadata changed, so the file is no longer the builder's own: scored whole, not streamed
    expect(p.supportsStreaming).toBe(false);
    const streamed = await AmsnetPredictor.load(bytes);
    const x = frames(2 * 4 * 3 * 32 * 32, 3);
    const [a, b] = [await p.predict(x, 2, 4), await streamed.predict(x, 2, 4)];
    for (let i = 0; i < 8; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    await expect(p.step(x.subarray(0, 3 * 32 * 32), 1, null)).rejects.toThrow(/cannot stream/);
    await p.close();
    await streamed.close();
  });

  it('refuses a model whose input is not named "frames"', async () => {
    const { model } = await tinyModel();
    model.graph.input[0].name = 'images';
    for (const n of model.graph.node) n.input = n.input.map((i) => (i === 'frames' ? 'images' : i));
    await expect(AmsnetPredictor.load(encodeModel(model))).rejects.toThrow(
      /no graph input named "frames" \(inputs: images\)/,
    );
  });

  it('refuses a model without the "probabilities" output', async () => {
    const { model } = await tinyModel();
    model.graph.output = [];
    await expect(AmsnetPredictor.load(encodeModel(model))).rejects.toThrow(/no graph output named "probabilities"/);
  });

  it('refuses a model whose input does not match the stated planes or size', async () => {
    const { model } = await tinyModel();
    model.metadataProps = model.metadataProps!.map((e) =>
      e.key === 'amsnet.focal_planes_um' ? { ...e, value: '-30,-15,0,15,30' } : e,
    );
    await expect(AmsnetPredictor.load(encodeModel(model))).rejects.toThrow(/has 3 focal planes, the contract states 5/);
    expect(() => readModelContract(new Uint8Array([1, 2, 3]))).toThrow(ModelContractError);
  });
});
