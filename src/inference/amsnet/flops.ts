import { type AmsnetConfig, planesPerImage, stemInputChannels, usesMfs } from './config';
import { blockSpecs } from './param-spec';

/**
 * GFLOP (2 × multiply-adds) of one segment of one embryo for the network as DESIGN.md §6 writes
 * it: every conv, the MFS MLP and reduce conv, the full n×n non-local products, fc. This is the
 * figure papers and the reference PyTorch export count (27.35 for full-size amsnet, F=7, S=224);
 * the built graph executes less (inspectModel counts what it runs), so throughput quoted against
 * this figure is comparable with other implementations.
 */
export function nominalGflopsPerStep(config: AmsnetConfig): number {
  return (2 * countMacs(config, 'nominal')) / 1e9;
}

/**
 * GFLOP of one segment of one embryo that the built graph really executes: the non-local block's
 * logits are a symmetric Gram matrix XᵀX of which the graph computes three of the four blocks
 * (the fourth is a transpose), 26.09 instead of 27.35 for full-size amsnet, F=7, S=224. Throughput
 * is quoted against this figure: counting work the graph never does would flatter it.
 * `inspectModel` measures the same number from a graph's real tensor shapes.
 */
export function executedGflopsPerStep(config: AmsnetConfig): number {
  return (2 * countMacs(config, 'executed')) / 1e9;
}

function countMacs(config: AmsnetConfig, count: 'nominal' | 'executed'): number {
  let macs = 0;
  const conv = (images: number, cin: number, cout: number, k: number, outSide: number) => {
    macs += images * cin * cout * k * k * outSide * outSide;
  };
  const P = planesPerImage(config);
  let side = config.inputSize / 2;
  conv(P, stemInputChannels(config), config.width, 7, side);
  side /= 2; // max pool
  blockSpecs(config).forEach((stage, l) => {
    const images = l === 0 ? P : 1;
    for (const b of stage) {
      const out = b.stride === 1 ? side : side / 2;
      conv(images, b.inChannels, b.width, 1, side);
      conv(images, b.width, b.width, 3, out);
      conv(images, b.width, b.outChannels, 1, out);
      if (b.downsample) conv(images, b.inChannels, b.outChannels, 1, out);
      side = out;
    }
    if (l === 0 && usesMfs(config.variant)) {
      const c1 = config.width * 4;
      const fc1 = config.planes.length * c1;
      macs += 2 * (fc1 * (fc1 / 16) * 2); // the MLP on the average- and the max-pooled vector
      conv(1, fc1, c1, 1, side);
      if (config.variant === 'amsnet') {
        const n = side * side;
        conv(1, c1, c1 / 2, 1, side); // g
        const h = Math.floor(n / 2);
        // xᵢ·xⱼ (executed: blocks 11, 12 and 22 of the Gram matrix; 21 is 12 transposed), attention · g
        const gramEntries = count === 'nominal' || h === 0 ? n * n : h * h + h * (n - h) + (n - h) * (n - h);
        macs += gramEntries * c1 + n * n * (c1 / 2);
        conv(1, c1 / 2, c1, 1, side); // W
      }
    }
  });
  macs += config.width * 32; // fc
  return macs;
}
