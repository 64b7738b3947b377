import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The temporal state a streaming AMSNet carries from one segment to the next, per embryo and model:
 * the state after the embryo's first `segments` segments. Nightly scoring then feeds only the new
 * segments instead of the whole trajectory. Written in the same transaction as the predictions it
 * continues from, so state and predictions never disagree; a missing state just means "score the
 * whole sequence again".
 */
export class ScoringStreamState1764190000300 implements MigrationInterface {
  name = 'ScoringStreamState1764190000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scoring_stream_state (
        embryo_id uuid NOT NULL REFERENCES embryo(id) ON DELETE CASCADE,
        model_version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE CASCADE,
        segments smallint NOT NULL CHECK (segments BETWEEN 1 AND 28),
        state bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (embryo_id, model_version_id)
      );
      CREATE INDEX ix_scoring_stream_state_model ON scoring_stream_state (model_version_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE scoring_stream_state`);
  }
}
