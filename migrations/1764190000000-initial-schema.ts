import type { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseUnlessAuditLogDropAllowed } from './audit-log-guard';

/**
 * The domain model of DESIGN.md §4. Rules that protect data live in the database itself: foreign
 * keys (composite where a child must stay in its parent's clinic), the unique keys of §4, CHECKs on
 * value sets and ranges, one active model per clinic, and an append-only audit log.
 */
export class InitialSchema1764190000000 implements MigrationInterface {
  name = 'InitialSchema1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE clinic (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
        name text NOT NULL CHECK (length(name) > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE "user" (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
        display_name text,
        password_hash text CHECK (password_hash IS NULL OR password_hash LIKE '$argon2id$%'),
        network_admin boolean NOT NULL DEFAULT false,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE membership (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_membership_user_clinic UNIQUE (user_id, clinic_id)
      );
      CREATE INDEX ix_membership_clinic ON membership (clinic_id);

      CREATE TABLE patient (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE RESTRICT,
        mrn text NOT NULL CHECK (length(mrn) > 0),
        display_name text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_patient_clinic_mrn UNIQUE (clinic_id, mrn),
        CONSTRAINT uq_patient_id_clinic UNIQUE (id, clinic_id)
      );

      CREATE TABLE cycle (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE RESTRICT,
        patient_id uuid,
        external_id text NOT NULL CHECK (length(external_id) > 0),
        insemination_at timestamptz,
        method text CHECK (method IN ('IVF', 'ICSI')),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'COMPLETED', 'CANCELLED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_cycle_clinic_external UNIQUE (clinic_id, external_id),
        CONSTRAINT uq_cycle_id_clinic UNIQUE (id, clinic_id),
        -- a cycle's patient is always of the same clinic
        CONSTRAINT fk_cycle_patient FOREIGN KEY (patient_id, clinic_id) REFERENCES patient (id, clinic_id) ON DELETE RESTRICT
      );
      CREATE INDEX ix_cycle_patient ON cycle (patient_id);

      CREATE TABLE embryo (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE RESTRICT,
        cycle_id uuid NOT NULL,
        label text NOT NULL CHECK (length(label) > 0),
        external_id text NOT NULL CHECK (length(external_id) > 0),
        culture_ended_at timestamptz,
        culture_ended_hpi double precision CHECK (culture_ended_hpi >= 0),
        outcome text NOT NULL DEFAULT 'UNKNOWN' CHECK (outcome IN ('BLASTOCYST', 'NOT_BLASTOCYST', 'UNKNOWN')),
        outcome_recorded_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        outcome_recorded_at timestamptz,
        outcome_source text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_embryo_clinic_external UNIQUE (clinic_id, external_id),
        -- an embryo is always in a cycle of its own clinic
        CONSTRAINT fk_embryo_cycle FOREIGN KEY (cycle_id, clinic_id) REFERENCES cycle (id, clinic_id) ON DELETE RESTRICT ON UPDATE CASCADE
      );
      CREATE INDEX ix_embryo_cycle ON embryo (cycle_id);

      CREATE TABLE embryo_phase (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        embryo_id uuid NOT NULL REFERENCES embryo(id) ON DELETE CASCADE,
        phase text NOT NULL CHECK (length(phase) > 0),
        first_run integer,
        last_run integer,
        start_hpi double precision CHECK (start_hpi >= 0),
        end_hpi double precision CHECK (end_hpi >= 0),
        CONSTRAINT uq_embryo_phase UNIQUE (embryo_id, phase)
      );

      CREATE TABLE frame_image (
        sha256 char(64) PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        bytes bytea NOT NULL,
        mime text NOT NULL
      );

      CREATE TABLE frame (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        embryo_id uuid NOT NULL REFERENCES embryo(id) ON DELETE CASCADE,
        acquired_at timestamptz,
        hours_post_insemination double precision NOT NULL CHECK (hours_post_insemination >= 0 AND hours_post_insemination < 1000),
        focal_plane_um integer NOT NULL CHECK (focal_plane_um BETWEEN -500 AND 500),
        run integer,
        width integer NOT NULL CHECK (width > 0),
        height integer NOT NULL CHECK (height > 0),
        sha256 char(64) NOT NULL REFERENCES frame_image(sha256) ON DELETE RESTRICT,
        source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_frame_embryo_hpi_plane UNIQUE (embryo_id, hours_post_insemination, focal_plane_um)
      );
      CREATE INDEX ix_frame_sha256 ON frame (sha256);

      CREATE TABLE model_version (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) > 0),
        version text NOT NULL CHECK (length(version) > 0),
        sha256 char(64) NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        variant text NOT NULL CHECK (variant IN ('baseline', 'tsm', 'tsm-channel', 'amsnet')),
        planes integer[] NOT NULL CHECK (cardinality(planes) > 0),
        input_size integer NOT NULL CHECK (input_size > 0),
        contract jsonb NOT NULL,
        trained boolean NOT NULL,
        onnx bytea NOT NULL,
        size_bytes bigint NOT NULL CHECK (size_bytes > 0),
        created_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_model_version_name_version UNIQUE (name, version)
      );

      CREATE TABLE clinic_model (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        model_version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE RESTRICT,
        active boolean NOT NULL DEFAULT false,
        shadow boolean NOT NULL DEFAULT false,
        activated_at timestamptz,
        activated_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_clinic_model UNIQUE (clinic_id, model_version_id),
        CONSTRAINT ck_clinic_model_active_not_shadow CHECK (NOT (active AND shadow))
      );
      -- exactly one active model per clinic, whatever races the application has
      CREATE UNIQUE INDEX uq_clinic_model_one_active ON clinic_model (clinic_id) WHERE active;

      CREATE TABLE scoring_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid REFERENCES clinic(id) ON DELETE CASCADE,
        model_version_id uuid REFERENCES model_version(id) ON DELETE SET NULL,
        trigger text NOT NULL,
        requested_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        status text NOT NULL DEFAULT 'QUEUED' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'PARTIAL')),
        scope jsonb NOT NULL DEFAULT '{}',
        embryos_scored integer NOT NULL DEFAULT 0 CHECK (embryos_scored >= 0),
        predictions_written integer NOT NULL DEFAULT 0 CHECK (predictions_written >= 0),
        embryos_failed integer NOT NULL DEFAULT 0 CHECK (embryos_failed >= 0),
        duration_ms integer CHECK (duration_ms >= 0),
        embryos_per_second double precision,
        execution_provider text,
        error text,
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX ix_scoring_run_clinic ON scoring_run (clinic_id, created_at DESC);

      CREATE TABLE prediction (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        embryo_id uuid NOT NULL REFERENCES embryo(id) ON DELETE CASCADE,
        model_version_id uuid NOT NULL REFERENCES model_version(id) ON DELETE RESTRICT,
        segment smallint NOT NULL CHECK (segment BETWEEN 0 AND 27),
        hours_post_insemination double precision NOT NULL CHECK (hours_post_insemination >= 0),
        probability double precision NOT NULL CHECK (probability >= 0 AND probability <= 1),
        inputs jsonb NOT NULL DEFAULT '{}',
        scoring_run_id uuid REFERENCES scoring_run(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_prediction_embryo_model_segment UNIQUE (embryo_id, model_version_id, segment)
      );
      CREATE INDEX ix_prediction_model ON prediction (model_version_id);

      CREATE TABLE import_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('FOLDER', 'PDB', 'DICOM', 'CYCLES')),
        source text NOT NULL,
        requested_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        status text NOT NULL DEFAULT 'RUNNING' CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'PARTIAL')),
        stored integer NOT NULL DEFAULT 0 CHECK (stored >= 0),
        already_stored integer NOT NULL DEFAULT 0 CHECK (already_stored >= 0),
        skipped integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
        failed integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      CREATE INDEX ix_import_run_clinic ON import_run (clinic_id, started_at DESC);

      CREATE TABLE import_run_item (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        import_run_id uuid NOT NULL REFERENCES import_run(id) ON DELETE CASCADE,
        item text NOT NULL,
        status text NOT NULL CHECK (status IN ('stored', 'alreadyStored', 'skipped', 'failed')),
        reason text
      );
      CREATE INDEX ix_import_run_item_run ON import_run_item (import_run_id);

      CREATE TABLE audit_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        user_id uuid,
        action text NOT NULL,
        entity text NOT NULL,
        entity_id text,
        clinic_id uuid,
        request_id text,
        detail jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX ix_audit_event_clinic_at ON audit_event (clinic_id, at);

      -- The audit log is append-only: no UPDATE, DELETE or TRUNCATE, whoever asks.
      CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only';
      END $$;
      CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
      CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
        FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseUnlessAuditLogDropAllowed(q, this.name);
    await q.query(`
      DROP TABLE audit_event;
      DROP FUNCTION audit_event_append_only();
      DROP TABLE import_run_item;
      DROP TABLE import_run;
      DROP TABLE prediction;
      DROP TABLE scoring_run;
      DROP TABLE clinic_model;
      DROP TABLE model_version;
      DROP TABLE frame;
      DROP TABLE frame_image;
      DROP TABLE embryo_phase;
      DROP TABLE embryo;
      DROP TABLE cycle;
      DROP TABLE patient;
      DROP TABLE membership;
      DROP TABLE "user";
      DROP TABLE clinic;
    `);
  }
}
