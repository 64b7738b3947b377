import { AmsnetPredictor } from '../../src/inference/predictor';
import { buildTiny, frames } from './tiny-models';

describe('execution providers', () => {
  it('falls back from cuda to cpu with one warning when the CUDA provider is not installed', async () => {
    const model = await buildTiny('baseline');
    const warn = jest.fn();
    const logger = { warn, info: jest.fn() };
    const a = await AmsnetPredictor.load(model.onnx, { executionProviders: ['cuda', 'cpu'], logger });
    const b = await AmsnetPredictor.load(model.onnx, { executionProviders: ['cuda', 'cpu'], logger });
    try {
      if (a.executionProvider === 'cuda') {
        expect(warn).not.toHaveBeenCalled(); // a GPU machine with the CUDA libraries
      } else {
        expect(a.executionProvider).toBe('cpu');
        expect(b.executionProvider).toBe('cpu');
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0][1])).toMatch(/"cuda" is not available; falling back to "cpu"/);
      }
      const p = await a.predict(frames(3 * 32 * 32), 1, 1);
      expect(p[0]).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses an unknown provider name', async () => {
    const model = await buildTiny('baseline');
    await expect(AmsnetPredictor.load(model.onnx, { executionProviders: ['tpu'] })).rejects.toThrow(
      /unknown execution provider "tpu"/,
    );
  });
});
