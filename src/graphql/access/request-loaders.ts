import DataLoader from 'dataloader';
import { Permission } from '../../auth/permissions';
import type {
  Clinic,
  Cycle,
  Embryo,
  EmbryoAssessment,
  EmbryoPhase,
  ImportRunItem,
  Membership,
  Patient,
} from '../../entities';
import type { ClinicScoringSetup, Repositories, StoredPrediction } from '../../entities/repositories';
import type { ClinicAccess } from './clinic-access';

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

const byIdOf = <T extends { id: string }>(ids: readonly string[], rows: T[]): Array<T | null> => {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
};

/**
 * Per-request DataLoaders over the scoped repository reads: nested fields of a list resolve with one
 * query per field, not per row. They read under the caller's READ_CLINICAL scope (clinics and
 * memberships: any role), so even a nested field cannot reach a row of another clinic (parents
 * were already checked; this is the second lock).
 */
export function createRequestLoaders(store: Repositories, access: ClinicAccess) {
  const read = () => access.scopeFor(Permission.READ_CLINICAL);
  /** Embryos of each cycle, by label. */
  const embryosByCycle = new DataLoader<string, Embryo[]>(async (cycleIds) => {
    const groups = groupBy(await store.embryos.embryosOfCycles(read(), cycleIds), (r) => r.cycleId);
    return cycleIds.map((id) => groups.get(id) ?? []);
  });
  /** Predictions of (embryo, model) pairs, by segment. Key: `${embryoId}/${modelId}`. */
  const predictions = new DataLoader<string, StoredPrediction[]>(async (keys) => {
    const pairs = keys.map((k) => {
      const [embryoId, modelVersionId] = k.split('/');
      return { embryoId, modelVersionId };
    });
    const groups = groupBy(await store.predictions.ofPairs(read(), pairs), (r) => `${r.embryoId}/${r.modelVersionId}`);
    return keys.map((k) => groups.get(k) ?? []);
  });
  return {
    embryosByCycle,
    predictions,
    /**
     * Embryos of (cycle, model) pairs by label, read with their trajectories of that model in one
     * statement, which fill `predictions` (and `embryosByCycle`): a ranking needs both. Key:
     * `${cycleId}/${modelId}`.
     */
    embryosWithTrajectories: new DataLoader<string, Embryo[]>(async (keys) => {
      const pairs = keys.map((k) => {
        const [cycleId, modelVersionId] = k.split('/');
        return { cycleId, modelVersionId };
      });
      const rows = await store.embryos.embryosOfCyclesWithTrajectories(read(), pairs);
      for (const row of rows) predictions.prime(`${row.embryo.id}/${row.modelVersionId}`, row.predictions);
      const groups = groupBy(rows, (r) => `${r.embryo.cycleId}/${r.modelVersionId}`);
      return pairs.map(({ cycleId, modelVersionId }) => {
        const embryos = (groups.get(`${cycleId}/${modelVersionId}`) ?? []).map((r) => r.embryo);
        embryosByCycle.prime(cycleId, embryos);
        return embryos;
      });
    }),
    cycle: new DataLoader<string, Cycle | null>(async (ids) =>
      byIdOf(ids, await store.patientCycles.cyclesIn(read(), ids)),
    ),
    patient: new DataLoader<string, Patient | null>(async (ids) =>
      byIdOf(ids, await store.patientCycles.patientsIn(read(), ids)),
    ),
    /** Clinics the caller can see at all (any role); membership lists need those of auditors too. */
    clinic: new DataLoader<string, Clinic | null>(async (ids) =>
      byIdOf(ids, await store.clinics.byIds(access.visibleScope(), ids)),
    ),
    phasesByEmbryo: new DataLoader<string, EmbryoPhase[]>(async (embryoIds) => {
      const groups = groupBy(await store.embryos.phasesOf(read(), embryoIds), (r) => r.embryoId);
      return embryoIds.map((id) => groups.get(id) ?? []);
    }),
    /**
     * Each clinic's enabled models (active, shadow and plain; newest first) and oversight settings
     * (null: every setting off), in one statement: a score needs both.
     */
    scoringSetup: new DataLoader<string, ClinicScoringSetup>(async (clinicIds) => {
      const setups = await store.models.scoringSetupOf(read(), clinicIds);
      return clinicIds.map((id) => setups.get(id) ?? { models: [], governance: null });
    }),
    /** The newest assessment of each embryo (null: never assessed). */
    latestAssessment: new DataLoader<string, EmbryoAssessment | null>(async (embryoIds) => {
      const rows = await store.governance.latestOf(read(), embryoIds);
      return embryoIds.map((id) => rows.find((r) => r.embryoId === id) ?? null);
    }),
    importItemsByRun: new DataLoader<string, ImportRunItem[]>(async (runIds) => {
      const groups = groupBy(await store.importRuns.itemsOf(read(), runIds), (r) => r.importRunId);
      return runIds.map((id) => groups.get(id) ?? []);
    }),
    /** A user's memberships restricted to clinics the caller can see. */
    membershipsByUser: new DataLoader<string, Membership[]>(async (userIds) => {
      const groups = groupBy(await store.accounts.membershipsOf(access.visibleScope(), userIds), (r) => r.userId);
      return userIds.map((id) => groups.get(id) ?? []);
    }),
  };
}

export type RequestLoaders = ReturnType<typeof createRequestLoaders>;
