import type { SegmentSample } from '../sampling/sample-segments';

/**
 * The `prediction.inputs` record of one segment: which frames the model saw and which of them were
 * imputed (DESIGN.md §5). Readers (GraphQL, evaluation) rely on `imputed` at the top level.
 */
export interface PredictionInputs {
  imputed: boolean;
  frames: Array<{
    planeUm: number;
    frameId: string;
    hpi: number;
    imputed?: 'empty-segment' | 'missing-plane';
    from?: { segment: number } | { planeUm: number };
  }>;
}

export function predictionInputs(sample: SegmentSample): PredictionInputs {
  return {
    imputed: sample.imputed,
    frames: sample.frames.map(({ planeUm, frameId, hpi, imputed, from }) => ({
      planeUm,
      frameId,
      hpi,
      ...(imputed ? { imputed } : {}),
      ...(from ? { from } : {}),
    })),
  };
}
