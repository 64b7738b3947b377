import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account security (issue 17): revocable sessions (a token version per user, a session row per
 * sign-in), passwords that must be changed at the next sign-in, the login rate limit shared by
 * every API process, and invitations of users of other clinics (which need the user's consent).
 */
export class AccountSecurity1764190002000 implements MigrationInterface {
  name = 'AccountSecurity1764190002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE "user"
        ADD COLUMN token_version integer NOT NULL DEFAULT 0,
        ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
        ADD COLUMN password_changed_at timestamptz;

      CREATE TABLE user_session (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
        via text NOT NULL CHECK (via IN ('password')),
        signed_in_at timestamptz NOT NULL,
        refreshed_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        address text,
        revoked_at timestamptz
      );
      CREATE INDEX ix_user_session_user ON user_session (user_id, expires_at DESC);

      -- one row per sign-in attempt still counted by the rate limit (failed or in progress);
      -- e-mails are stored as hashes only
      CREATE TABLE login_attempt (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key text NOT NULL,
        at timestamptz NOT NULL
      );
      CREATE INDEX ix_login_attempt_key_at ON login_attempt (key, at);
      CREATE INDEX ix_login_attempt_at ON login_attempt (at);

      -- until when a throttled key has already been audited (one LOGIN_FAILED row per throttled window)
      CREATE TABLE login_throttle (
        key text PRIMARY KEY,
        audited_until timestamptz NOT NULL
      );

      CREATE TABLE membership_invitation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
        clinic_id uuid NOT NULL REFERENCES clinic(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR')),
        invited_by uuid REFERENCES "user"(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_invitation_user_clinic UNIQUE (user_id, clinic_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE membership_invitation;
      DROP TABLE login_throttle;
      DROP TABLE login_attempt;
      DROP TABLE user_session;
      ALTER TABLE "user" DROP COLUMN password_changed_at, DROP COLUMN must_change_password, DROP COLUMN token_version;
    `);
  }
}
