import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a model version's weights came from: `random` (built untrained), `trained` (by the
 * project's trainer, with its training manifest: dataset, split sizes, outcome balance, validation
 * metrics) or `imported` (weights brought from elsewhere, identified by their sha256). `synthetic`
 * marks a model trained on synthetic images: like an untrained one, its numbers are not for
 * clinical use. Existing versions (and inserts that do not say): untrained ones are `random`,
 * trained ones `imported`.
 */
export class ModelProvenance1764190001000 implements MigrationInterface {
  name = 'ModelProvenance1764190001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE model_version
        ADD COLUMN provenance text NOT NULL DEFAULT 'imported',
        ADD COLUMN synthetic boolean NOT NULL DEFAULT false,
        ADD COLUMN training_manifest jsonb,
        ADD COLUMN weights_sha256 char(64);
      UPDATE model_version SET provenance = 'random' WHERE NOT trained;
      ALTER TABLE model_version
        ALTER COLUMN provenance DROP DEFAULT,
        ADD CONSTRAINT ck_model_version_provenance CHECK (provenance IN ('random', 'trained', 'imported')),
        ADD CONSTRAINT ck_model_version_random_untrained CHECK ((provenance = 'random') = (NOT trained)),
        ADD CONSTRAINT ck_model_version_synthetic_trained CHECK (NOT synthetic OR provenance = 'trained');
      -- an insert that does not say (older code, tools, tests) gets what the trained flag implies
      CREATE FUNCTION model_version_default_provenance() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.provenance IS NULL THEN
          NEW.provenance := CASE WHEN NEW.trained THEN 'imported' ELSE 'random' END;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER tg_model_version_default_provenance BEFORE INSERT ON model_version
        FOR EACH ROW EXECUTE FUNCTION model_version_default_provenance();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER tg_model_version_default_provenance ON model_version;
      DROP FUNCTION model_version_default_provenance();
      ALTER TABLE model_version
        DROP CONSTRAINT ck_model_version_synthetic_trained,
        DROP CONSTRAINT ck_model_version_random_untrained,
        DROP CONSTRAINT ck_model_version_provenance,
        DROP COLUMN weights_sha256,
        DROP COLUMN training_manifest,
        DROP COLUMN synthetic,
        DROP COLUMN provenance;
    `);
  }
}
