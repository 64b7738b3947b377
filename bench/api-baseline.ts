/**
 * The equal-work baseline of bench/api.ts: a plain node:http endpoint in the same process as the
 * GraphQL server that does what one cycle-view request does, with hand-written SQL and no framework —
 * reads the same JSON body, verifies the same bearer token (jose, HS256, same claims), loads the
 * user and its memberships (disabled and token-version checks), reads the cycle inside the caller's
 * READ_CLINICAL clinics, applies the clinic's oversight settings (kill switch, "assessment first"),
 * reads the active model's name/version/trained flag and its warning, ranks the embryos by their
 * latest probability with full trajectories, writes the same READ_CYCLE audit row (through the same
 * hash-chain trigger), and answers the same JSON document as the GraphQL response.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { roleAllows, Permission } from '../src/auth/permissions';
import type { LocalTokenSigner } from '../src/auth/local-tokens';
import type { Role } from '../src/entities';
import { scoreLabel } from '../src/inference/scoring/prediction-provenance';

const USER_SQL = `
  SELECT u.disabled, u.token_version, u.network_admin,
         coalesce(array_agg(m.clinic_id::text) FILTER (WHERE m.clinic_id IS NOT NULL), '{}') AS clinic_ids,
         coalesce(array_agg(m.role) FILTER (WHERE m.clinic_id IS NOT NULL), '{}') AS roles
  FROM "user" u LEFT JOIN membership m ON m.user_id = u.id
  WHERE u.id = $1 GROUP BY u.id`;

/** The cycle, its patient, the clinic's active model and oversight settings, and every embryo with its points. */
const CYCLE_SQL = `
  SELECT c.id, c.clinic_id, c.external_id, c.status, p.mrn,
         mv.id AS model_id, mv.name AS model_name, mv.version AS model_version, mv.trained, mv.synthetic, mv.provenance,
         coalesce(g.scoring_suspended, false) AS suspended, g.suspended_reason,
         coalesce(g.assessment_first, false) AS assessment_first,
         coalesce((SELECT json_agg(json_build_object('id', e.id, 'label', e.label, 'outcome', e.outcome,
                     'assessed', EXISTS (SELECT 1 FROM embryo_assessment a WHERE a.embryo_id = e.id),
                     'points', (SELECT json_agg(json_build_array(pr.segment, pr.hours_post_insemination, pr.probability,
                                  coalesce((pr.inputs->>'imputed')::boolean, false)) ORDER BY pr.segment)
                                FROM prediction pr WHERE pr.embryo_id = e.id AND pr.model_version_id = mv.id))
                   ORDER BY e.label, e.id)
                   FROM embryo e WHERE e.cycle_id = c.id), '[]') AS embryos
  FROM cycle c
  LEFT JOIN patient p ON p.id = c.patient_id
  LEFT JOIN clinic_model cm ON cm.clinic_id = c.clinic_id AND cm.active
  LEFT JOIN model_version mv ON mv.id = cm.model_version_id
  LEFT JOIN clinic_governance g ON g.clinic_id = c.clinic_id
  WHERE c.id = $1 AND c.clinic_id = ANY($2::uuid[])`;

const AUDIT_SQL = `
  INSERT INTO audit_event (user_id, request_id, action, entity, entity_id, clinic_id, detail)
  VALUES ($1, $2, 'READ_CYCLE', 'cycle', $3, $4, '{}')`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface CycleRow {
  id: string;
  clinic_id: string;
  external_id: string;
  status: string;
  mrn: string | null;
  model_id: string | null;
  model_name: string;
  model_version: string;
  trained: boolean;
  synthetic: boolean;
  provenance: string | null;
  suspended: boolean;
  assessment_first: boolean;
  embryos: Array<{
    id: string;
    label: string;
    outcome: string;
    assessed: boolean;
    points: Array<[number, number, number, boolean]> | null;
  }>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The cycle view of one request, as GraphQL answers it for CYCLE_VIEW (bench/api-seed.ts). */
async function cycleView(pool: Pool, tokens: LocalTokenSigner, req: IncomingMessage): Promise<unknown> {
  const body = JSON.parse(await readBody(req)) as { variables?: { id?: string } };
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) throw new HttpFailure(401, 'authentication required');
  const claims = await tokens.verify(match[1]).catch(() => {
    throw new HttpFailure(401, 'invalid or expired token');
  });
  const {
    rows: [user],
  } = await pool.query<{
    disabled: boolean;
    token_version: number;
    network_admin: boolean;
    clinic_ids: string[];
    roles: Role[];
  }>(USER_SQL, [claims.userId]);
  if (!user || user.disabled || user.token_version !== claims.tokenVersion)
    throw new HttpFailure(401, 'invalid or expired token');
  const roles = new Map(user.clinic_ids.map((id, i) => [id, user.roles[i]]));
  const readable = [...roles].filter(([, role]) => roleAllows(role, Permission.READ_CLINICAL)).map(([id]) => id);
  const id = body.variables?.id ?? '';
  if (!UUID.test(id)) throw new HttpFailure(200, 'cycle not found');
  const {
    rows: [cycle],
  } = await pool.query<CycleRow>(CYCLE_SQL, [id, readable]);
  if (!cycle) throw new HttpFailure(200, 'cycle not found');
  const requestId = randomUUID();
  await pool.query(AUDIT_SQL, [claims.userId, requestId, cycle.id, cycle.clinic_id]);

  const role = user.network_admin ? 'ADMIN' : roles.get(cycle.clinic_id)!;
  // untrainedWarning (inside scoreLabel) reads `synthetic` too
  const model = {
    name: cycle.model_name,
    version: cycle.model_version,
    trained: cycle.trained,
    synthetic: cycle.synthetic,
    provenance: cycle.provenance,
  };
  const label = cycle.model_id ? scoreLabel(model) : null;
  const warning = label?.warning ?? null;
  const withheld = (assessed: boolean) =>
    cycle.suspended || (!roleAllows(role, Permission.SCORES_BEFORE_ASSESSMENT) && cycle.assessment_first && !assessed);
  const entries = cycle.embryos.map((e) => {
    const shown = label && !withheld(e.assessed);
    const points = shown ? (e.points ?? []) : [];
    const last = points.at(-1);
    return {
      rank: null as number | null,
      score: last ? { value: last[2], label: label!.text } : null,
      embryo: {
        id: e.id,
        label: e.label,
        outcome: e.outcome,
        trajectory: shown
          ? {
              warning,
              model: {
                id: cycle.model_id,
                name: cycle.model_name,
                version: cycle.model_version,
                trained: cycle.trained,
              },
              points: points.map(([segment, hpi, probability, imputed]) => ({
                segment,
                hoursPostInsemination: hpi,
                day: hpi / 24,
                probability,
                imputed,
              })),
            }
          : null,
      },
    };
  });
  const scored = entries
    .filter((e) => e.score)
    .sort((a, b) => b.score!.value - a.score!.value || a.embryo.label.localeCompare(b.embryo.label));
  scored.forEach((e, i) => (e.rank = i + 1));
  return {
    data: {
      cycle: {
        id: cycle.id,
        externalId: cycle.external_id,
        status: cycle.status,
        patient: cycle.mrn === null ? null : { mrn: cycle.mrn },
        ranking: {
          label: label?.text ?? null,
          warning,
          entries: [...scored, ...entries.filter((e) => !e.score)],
        },
      },
    },
  };
}

/** Starts the baseline on loopback (POST /cycle-view, the GraphQL request's body and headers). */
export async function startEqualWorkServer(
  pool: Pool,
  tokens: LocalTokenSigner,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    cycleView(pool, tokens, req).then(
      (result) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result));
      },
      (error: unknown) => {
        const status = error instanceof HttpFailure ? error.status : 500;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cycle-view`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
