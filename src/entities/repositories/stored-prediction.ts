/**
 * A prediction as the API's trajectories read it (PredictionRepository.ofPairs): the numbers of a
 * chart, plus `inputs` and `runtime` kept as the JSON text PostgreSQL sent and parsed only when
 * asked for (most views ask for neither; a cycle view reads 28 predictions per embryo).
 */
export class StoredPrediction {
  private parsedInputs?: Record<string, unknown>;
  private parsedRuntime?: Record<string, unknown> | null;

  constructor(
    readonly embryoId: string,
    readonly modelVersionId: string,
    readonly segment: number,
    readonly hoursPostInsemination: number,
    readonly probability: number,
    /** `inputs.imputed === true`, read by the database so `inputs` need not be parsed for it. */
    readonly imputed: boolean,
    readonly createdAt: Date,
    private readonly inputsJson: string,
    private readonly runtimeJson: string | null,
  ) {}

  /** The frames used, and which were imputed (prediction.inputs). */
  get inputs(): Record<string, unknown> {
    return (this.parsedInputs ??= JSON.parse(this.inputsJson) as Record<string, unknown>);
  }

  /** The software it was computed with (prediction.runtime); null before #16. */
  get runtime(): Record<string, unknown> | null {
    if (this.parsedRuntime === undefined)
      this.parsedRuntime = this.runtimeJson === null ? null : (JSON.parse(this.runtimeJson) as Record<string, unknown>);
    return this.parsedRuntime;
  }
}

/**
 * One trajectory point as the database sends it inside a JSON array (see `POINTS_OF_TRAJECTORY`):
 * segment, hpi, probability, imputed, created (ms since epoch), inputs JSON text, runtime JSON text.
 */
export type StoredPoint = [number, number, number, boolean, number, string, string | null];

/** The JSON array of one (embryo, model) trajectory's points, by segment; an aggregate over `prediction p`. */
export const POINTS_OF_TRAJECTORY = `json_agg(json_build_array(p.segment, p.hours_post_insemination, p.probability,
    coalesce(p.inputs -> 'imputed' = 'true'::jsonb, false),
    extract(epoch FROM p.created_at) * 1000, p.inputs::text, p.runtime::text) ORDER BY p.segment)`;

export function storedPredictionsOf(
  embryoId: string,
  modelVersionId: string,
  points: readonly StoredPoint[],
): StoredPrediction[] {
  return points.map(
    ([segment, hpi, probability, imputed, createdMs, inputs, runtime]) =>
      new StoredPrediction(
        embryoId,
        modelVersionId,
        segment,
        hpi,
        probability,
        imputed,
        new Date(createdMs),
        inputs,
        runtime,
      ),
  );
}
