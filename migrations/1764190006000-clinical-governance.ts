import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Clinical governance (issue #16):
 * - `prediction.runtime`: the software a probability was computed with (ONNX Runtime version,
 *   execution provider, preprocessing version); null for predictions written before this.
 * - `clinic_governance`: per-clinic oversight settings ("assessment first": scores stay hidden from
 *   embryologists and clinicians until an embryologist assessed the embryo; the kill switch:
 *   scoring suspended, scores hidden, with who, when and why).
 * - `embryo_assessment`: an embryologist's own grade and decision, what the model ranked when it was
 *   recorded, and the reason given for deciding against the model. Append-only: a new assessment of
 *   the same embryo supersedes the previous one, both stay.
 * - `model_acceptance_criteria`: what a shadow model must show on a clinic's own outcomes before it
 *   may become the clinic's active model (day-3 ROC AUC, number of outcomes, largest drop allowed
 *   against the active model); activation refuses while unmet unless an ADMIN overrides with a reason.
 * - `model_monitoring_point`, `model_monitoring_baseline`: the nightly monitoring series per clinic
 *   and model (ROC AUCs, accuracy-curve AUC, Brier score, reliability bins, PSI against the score
 *   distribution at activation) and the alerts each check raised.
 */
export class ClinicalGovernance1764190006000 implements MigrationInterface {
  name = 'ClinicalGovernance1764190006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE prediction ADD COLUMN runtime jsonb;

      CREATE TABLE clinic_governance (
        clinic_id uuid PRIMARY KEY REFERENCES clinic(id) ON DELETE CASCADE,
        assessment_first boolean NOT NULL DEFAULT false,
        scoring_suspended boolean NOT NULL DEFAULT false,
        suspended_reason text,
        suspended_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        suspended_at timestamptz,
        updated_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE embryo_assessment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        embryo_id uuid NOT NULL REFERENCES embryo(id) ON DELETE CASCADE,
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE RESTRICT,
        assessed_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        grade text NOT NULL CHECK (length(grade) BETWEEN 1 AND 40),
        decision text NOT NULL CHECK (decision IN ('TRANSFER', 'FREEZE', 'DISCARD', 'KEEP_IN_CULTURE')),
        model_version_id uuid REFERENCES model_version(id) ON DELETE SET NULL,
        model_probability double precision,
        model_rank integer,
        model_rank_of integer,
        against_model boolean NOT NULL DEFAULT false,
        reason text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 2000),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (NOT against_model OR reason IS NOT NULL)
      );
      CREATE INDEX ix_embryo_assessment_embryo ON embryo_assessment (embryo_id, created_at);
      CREATE INDEX ix_embryo_assessment_clinic ON embryo_assessment (clinic_id, created_at);

      CREATE TABLE model_acceptance_criteria (
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        model_version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        min_day3_roc_auc double precision NOT NULL CHECK (min_day3_roc_auc BETWEEN 0 AND 1),
        min_outcomes integer NOT NULL CHECK (min_outcomes >= 1),
        max_drop_vs_active double precision CHECK (max_drop_vs_active BETWEEN 0 AND 1),
        set_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        set_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (clinic_id, model_version_id)
      );

      CREATE TABLE model_monitoring_point (
        id bigserial PRIMARY KEY,
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        model_version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('active', 'shadow')),
        checked_at timestamptz NOT NULL DEFAULT now(),
        since timestamptz,
        outcomes integer NOT NULL,
        roc_auc_day3 double precision,
        roc_auc_day4 double precision,
        roc_auc_day5 double precision,
        accuracy_auc double precision,
        brier double precision,
        reliability jsonb NOT NULL,
        scores integer NOT NULL,
        psi double precision,
        alerts jsonb NOT NULL DEFAULT '[]'
      );
      CREATE INDEX ix_model_monitoring_point ON model_monitoring_point (clinic_id, model_version_id, checked_at);

      -- the score distribution a model showed when monitoring first saw it active or in shadow
      CREATE TABLE model_monitoring_baseline (
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        model_version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        histogram integer[] NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (clinic_id, model_version_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE model_monitoring_baseline;
      DROP TABLE model_monitoring_point;
      DROP TABLE model_acceptance_criteria;
      DROP TABLE embryo_assessment;
      DROP TABLE clinic_governance;
      ALTER TABLE prediction DROP COLUMN runtime;
    `);
  }
}
