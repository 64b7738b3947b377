/** Plan a clinic's scoring: find embryos with complete, unscored segments and enqueue batches. */
export interface ScoreClinicPayload {
  clinicId: string;
  /** The scoring_run to plan; absent for a cron tick (the run is created from the tick). */
  scoringRunId?: string;
  /** ISO time of the cron tick that enqueued it. */
  tick?: string;
  cycleId?: string;
  embryoIds?: string[];
  /** Score this shadow (silent-mode) model of the clinic instead of its active one. */
  shadowModelVersionId?: string;
}

/** Score a batch of embryos of one clinic with the model that was active when it was planned. */
export interface ScoreEmbryosPayload {
  scoringRunId: string;
  clinicId: string;
  modelVersionId: string;
  embryoIds: string[];
  /** Identifies the batch within its run, so it is accounted for exactly once. */
  batchId: string;
}
