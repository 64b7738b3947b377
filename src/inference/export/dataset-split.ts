import { SeededRandom } from '../amsnet/prng';

/**
 * Patient-grouped train/val/test split: all embryos of one patient land in the same part, so a
 * model is never tested on a sibling of an embryo it was trained on. Deterministic for a seed.
 */
export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

export const DEFAULT_FRACTIONS: SplitFractions = { train: 0.7, val: 0.15, test: 0.15 };

export function validateFractions(f: SplitFractions): void {
  const values = SPLIT_NAMES.map((s) => f[s]);
  if (values.some((v) => !Number.isFinite(v) || v < 0) || Math.abs(values.reduce((a, b) => a + b, 0) - 1) > 1e-6) {
    throw new RangeError(`split fractions must be non-negative and add up to 1 (got ${values.join(', ')})`);
  }
}

/**
 * Assigns each group (patient) to a split. Groups are shuffled with the seed, then each goes to the
 * split furthest below its target share of embryos, so the parts come close to the fractions even
 * though groups differ in size.
 */
export function splitByGroup(
  groupSizes: ReadonlyMap<string, number>,
  fractions: SplitFractions,
  seed: number,
): Map<string, SplitName> {
  validateFractions(fractions);
  const random = new SeededRandom(seed);
  const groups = [...groupSizes.keys()].sort(); // a stable order before the seeded shuffle
  for (let i = groups.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [groups[i], groups[j]] = [groups[j], groups[i]];
  }
  const total = [...groupSizes.values()].reduce((a, b) => a + b, 0);
  const filled: Record<SplitName, number> = { train: 0, val: 0, test: 0 };
  const assignment = new Map<string, SplitName>();
  for (const group of groups) {
    const size = groupSizes.get(group)!;
    // the split with the largest deficit after adding this group, relative to its target
    let best: SplitName = 'train';
    let bestDeficit = -Infinity;
    for (const split of SPLIT_NAMES) {
      if (fractions[split] === 0) continue;
      const deficit = fractions[split] * total - filled[split];
      if (deficit > bestDeficit) {
        best = split;
        bestDeficit = deficit;
      }
    }
    assignment.set(group, best);
    filled[best] += size;
  }
  return assignment;
}
