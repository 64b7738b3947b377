/** The four networks of the paper's Table 1 that amsnet-clinic can build (DESIGN.md §6). */
export const VARIANTS = ['baseline', 'tsm', 'tsm-channel', 'amsnet'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface AmsnetConfig {
  variant: Variant;
  /** Focal planes in µm, ascending; F = planes.length. */
  planes: number[];
  /** Channels of the stem (64 in ResNet-50). */
  width: number;
  /** Bottleneck blocks per stage ([3,4,6,3] in ResNet-50). */
  blocks: [number, number, number, number];
  /** Side S of the square input frames. */
  inputSize: number;
}

export const FULL_SIZE = { width: 64, blocks: [3, 4, 6, 3] as [number, number, number, number], inputSize: 224 };

export function isVariant(v: string): v is Variant {
  return (VARIANTS as readonly string[]).includes(v);
}

/** Multi-focus feature selection: each plane runs through stem + layer1 separately. */
export function usesMfs(variant: Variant): boolean {
  return variant === 'tsm-channel' || variant === 'amsnet';
}

export function usesShift(variant: Variant): boolean {
  return variant !== 'baseline';
}

/** Planes that run through stem + layer1 as separate images (the leading-dimension multiplier). */
export function planesPerImage(config: AmsnetConfig): number {
  return usesMfs(config.variant) ? config.planes.length : 1;
}

export function stemInputChannels(config: AmsnetConfig): number {
  return config.variant === 'tsm' ? config.planes.length : 1;
}

export class AmsnetConfigError extends Error {
  override name = 'AmsnetConfigError';
}

/** Throws a message naming the bad parameter; sizes that the graph cannot represent are refused here. */
export function validateConfig(config: AmsnetConfig): void {
  if (!isVariant(config.variant))
    throw new AmsnetConfigError(`unknown variant "${String(config.variant)}" (expected ${VARIANTS.join(', ')})`);
  const { planes, width, blocks, inputSize } = config;
  if (planes.length < 1 || planes.some((p) => !Number.isFinite(p)))
    throw new AmsnetConfigError('planes must be a non-empty list of numbers (µm)');
  for (let i = 1; i < planes.length; i++) {
    if (planes[i] <= planes[i - 1])
      throw new AmsnetConfigError(`planes must be strictly ascending, got ${planes.join(',')}`);
  }
  // width ≥ 8 so that every TSM fold (⌊C/8⌋, C ≥ width) has at least one channel.
  if (!Number.isInteger(width) || width < 8) throw new AmsnetConfigError(`width must be an integer ≥ 8, got ${width}`);
  if (usesMfs(config.variant) && (planes.length * width * 4) % 16 !== 0) {
    throw new AmsnetConfigError(
      `the channel-attention MLP needs F·4·width divisible by 16 (F=${planes.length}, width=${width})`,
    );
  }
  if (blocks.length !== 4 || blocks.some((b) => !Number.isInteger(b) || b < 1))
    throw new AmsnetConfigError(`blocks must be four positive integers, got ${blocks.join(',')}`);
  if (!Number.isInteger(inputSize) || inputSize < 32 || inputSize % 32 !== 0)
    throw new AmsnetConfigError(`input size must be a multiple of 32 (≥ 32), got ${inputSize}`);
}
