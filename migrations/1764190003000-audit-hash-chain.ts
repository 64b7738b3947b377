import type { MigrationInterface, QueryRunner } from 'typeorm';
import { refuseUnlessAuditLogDropAllowed } from './audit-log-guard';

/**
 * Tamper evidence for the audit log: every event carries its position in its chain (one chain per
 * clinic, one `network` chain for events of no clinic), the hash of the event before it and its
 * own hash over its content. Append-only triggers stop the application; the chain also shows what
 * a table owner or superuser changed behind their back (`amsnet audit verify`).
 *
 * The chain is linked by a trigger, so no code path can insert an unlinked event. The head of each
 * chain (`audit_chain_head`) is locked per row until the inserting transaction commits: appends of
 * one clinic queue behind each other, appends of different clinics do not. The head also tells
 * `verify` how long each chain must be, so deleting its newest events shows too.
 */
export class AuditHashChain1764190003000 implements MigrationInterface {
  name = 'AuditHashChain1764190003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_chain_head (
        chain text PRIMARY KEY,
        seq bigint NOT NULL CHECK (seq >= 0),
        hash text NOT NULL
      );

      ALTER TABLE audit_event ADD COLUMN chain_seq bigint, ADD COLUMN prev_hash text, ADD COLUMN hash text;

      -- The hashed text: every column but the hash, in a fixed order, as PostgreSQL renders a jsonb
      -- array (jsonb orders object keys, so equal details give equal text). Kept in step with
      -- AUDIT_LINK_TEXT in src/entities/repositories/audit-chain.repository.ts (verify).
      CREATE FUNCTION audit_event_link(e audit_event) RETURNS audit_event LANGUAGE plpgsql AS $$
      DECLARE
        key text := coalesce(e.clinic_id::text, 'network');
        head audit_chain_head;
      BEGIN
        INSERT INTO audit_chain_head (chain, seq, hash) VALUES (key, 0, repeat('0', 64)) ON CONFLICT (chain) DO NOTHING;
        SELECT * INTO head FROM audit_chain_head WHERE chain = key FOR UPDATE;
        e.chain_seq := head.seq + 1;
        e.prev_hash := head.hash;
        e.hash := encode(sha256(convert_to(jsonb_build_array(
          e.chain_seq, e.prev_hash, e.id, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          e.user_id, e.action, e.entity, e.entity_id, e.clinic_id, e.request_id, e.detail
        )::text, 'UTF8')), 'hex');
        UPDATE audit_chain_head SET seq = e.chain_seq, hash = e.hash WHERE chain = key;
        RETURN e;
      END $$;
      -- Only through the trigger: a direct call would move a head without an event.
      REVOKE ALL ON FUNCTION audit_event_link(audit_event) FROM PUBLIC;

      -- Runs as the owner, so the application role needs no right on audit_chain_head.
      CREATE FUNCTION audit_event_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, public AS $$
      BEGIN
        RETURN audit_event_link(NEW);
      END $$;
      REVOKE ALL ON FUNCTION audit_event_chain() FROM PUBLIC;

      -- Link the events written before this migration, oldest first.
      ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
      DO $$
      DECLARE r audit_event;
      BEGIN
        FOR r IN SELECT * FROM audit_event ORDER BY id LOOP
          r := audit_event_link(r);
          UPDATE audit_event SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = r.id;
        END LOOP;
      END $$;
      ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update;

      ALTER TABLE audit_event
        ALTER COLUMN chain_seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
      CREATE UNIQUE INDEX uq_audit_event_chain_seq ON audit_event ((coalesce(clinic_id::text, 'network')), chain_seq);

      CREATE TRIGGER audit_event_chain BEFORE INSERT ON audit_event
        FOR EACH ROW EXECUTE FUNCTION audit_event_chain();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await refuseUnlessAuditLogDropAllowed(q, this.name);
    await q.query(`
      DROP TRIGGER audit_event_chain ON audit_event;
      DROP FUNCTION audit_event_chain();
      DROP FUNCTION audit_event_link(audit_event);
      DROP INDEX uq_audit_event_chain_seq;
      ALTER TABLE audit_event DROP COLUMN chain_seq, DROP COLUMN prev_hash, DROP COLUMN hash;
      DROP TABLE audit_chain_head;
    `);
  }
}
