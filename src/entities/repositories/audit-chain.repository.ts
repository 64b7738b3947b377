import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** The chain of events of no clinic (sign-ins, network administration). */
export const NETWORK_CHAIN = 'network';

/**
 * The hashed text of an event, as the trigger of migration 1764190003000 builds it. Written out
 * again here rather than calling the database's function, so a replaced function cannot make a
 * tampered log verify. Tables are named with their schema, so a same-named table in a schema of
 * the connecting role (first on its search_path) cannot stand in for them.
 */
const LINK_TEXT = `jsonb_build_array(e.chain_seq, e.prev_hash, e.id,
  to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
  e.user_id, e.action, e.entity, e.entity_id, e.clinic_id, e.request_id, e.detail)::text`;
const CHAIN_KEY = `coalesce(e.clinic_id::text, '${NETWORK_CHAIN}')`;
const GENESIS = '0'.repeat(64);
const BATCH = 2000;

export interface BrokenLink {
  /** Position in the chain (1 = its first event). */
  seq: number;
  /** The event found broken, or null when the break is events missing at the end. */
  eventId: string | null;
  problem: string;
}

export interface ChainVerification {
  /** A clinic id, or `network`. */
  chain: string;
  events: number;
  /** The newest hash: note it down elsewhere to detect a rewrite of the whole chain later. */
  headHash: string | null;
  broken: BrokenLink | null;
}

interface LinkRow {
  id: string;
  chain_seq: string;
  prev_hash: string;
  hash: string;
  text: string;
}

/** Reads the audit log's hash chains and checks them link by link (`amsnet audit verify`). */
export class AuditChainRepository {
  constructor(private readonly m: EntityManager) {}

  /** Every chain that has a head or an event, network first. */
  async chains(): Promise<string[]> {
    const rows = (await this.m.query(
      `SELECT chain FROM public.audit_chain_head
       UNION SELECT DISTINCT ${CHAIN_KEY} FROM public.audit_event e
       ORDER BY 1`,
    )) as { chain: string }[];
    const names = rows.map((r) => r.chain);
    return [...names.filter((c) => c === NETWORK_CHAIN), ...names.filter((c) => c !== NETWORK_CHAIN)];
  }

  /** Walks one chain oldest first and reports its first broken link (null when intact). */
  async verify(chain: string): Promise<ChainVerification> {
    let expectedSeq = 1;
    let prevHash = GENESIS;
    let broken: BrokenLink | null = null;
    for (;;) {
      const rows = (await this.m.query(
        `SELECT e.id, e.chain_seq, e.prev_hash, e.hash, ${LINK_TEXT} AS text
           FROM public.audit_event e WHERE ${CHAIN_KEY} = $1 AND e.chain_seq >= $2
          ORDER BY e.chain_seq LIMIT ${BATCH}`,
        [chain, expectedSeq],
      )) as LinkRow[];
      for (const row of rows) {
        broken = checkLink(row, expectedSeq, prevHash);
        if (broken) break;
        expectedSeq += 1;
        prevHash = row.hash;
      }
      if (broken || rows.length < BATCH) break;
    }
    const events = expectedSeq - 1;
    if (!broken) broken = await this.checkHead(chain, events, prevHash);
    return { chain, events, headHash: events > 0 ? prevHash : null, broken };
  }

  /** The head says how long the chain is: events deleted from its end show here. */
  private async checkHead(chain: string, events: number, lastHash: string): Promise<BrokenLink | null> {
    const [head] = (await this.m.query(`SELECT seq, hash FROM public.audit_chain_head WHERE chain = $1`, [chain])) as {
      seq: string;
      hash: string;
    }[];
    if (!head) {
      return events > 0 ? { seq: events, eventId: null, problem: 'the chain head was deleted' } : null;
    }
    const headSeq = Number(head.seq);
    if (headSeq > events) {
      return {
        seq: events + 1,
        eventId: null,
        problem: `events ${events + 1} to ${headSeq} are missing (deleted from the end of the chain)`,
      };
    }
    if (headSeq < events || head.hash !== (events > 0 ? lastHash : GENESIS)) {
      return { seq: events, eventId: null, problem: 'the chain head does not match its newest event' };
    }
    return null;
  }
}

function checkLink(row: LinkRow, expectedSeq: number, prevHash: string): BrokenLink | null {
  const seq = Number(row.chain_seq);
  if (seq !== expectedSeq) {
    const missing = seq - 1 === expectedSeq ? `event ${expectedSeq} is` : `events ${expectedSeq} to ${seq - 1} are`;
    return { seq: expectedSeq, eventId: row.id, problem: `${missing} missing before event ${row.id} (deleted)` };
  }
  if (row.prev_hash !== prevHash) {
    return { seq, eventId: row.id, problem: `event ${row.id} does not link to the event before it` };
  }
  if (createHash('sha256').update(row.text, 'utf8').digest('hex') !== row.hash) {
    return { seq, eventId: row.id, problem: `event ${row.id} was changed after it was written` };
  }
  return null;
}
