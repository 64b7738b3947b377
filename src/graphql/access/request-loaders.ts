import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { Permission } from '../../auth/permissions';
import {
  Clinic, ClinicModel, Cycle, Embryo, EmbryoPhase, ImportRun, ImportRunItem, Membership, ModelVersion, Patient, Prediction,
} from '../../entities';
import { scopeCondition, type ClinicAccess } from '../access/clinic-access';

/** A model enabled for a clinic, as the trajectory fields need it. */
export interface ClinicModelView {
  model: ModelVersion;
  active: boolean;
  shadow: boolean;
}

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

/**
 * Per-request DataLoaders: nested fields of a list resolve with one query per field, not per row.
 * They read under the caller's READ_CLINICAL scope, so even a nested field cannot reach a row of
 * another clinic (parents were already checked; this is the second lock).
 */
export function createRequestLoaders(dataSource: DataSource, access: ClinicAccess) {
  const readScope = () => access.scopeFor(Permission.READ_CLINICAL);
  const scoped = <T extends { clinicId: string }>(entity: new () => T, alias: string) => {
    const [condition, params] = scopeCondition(`${alias}.clinic_id`, readScope());
    return dataSource.getRepository(entity).createQueryBuilder(alias).where(condition, params);
  };

  return {
    cycle: new DataLoader<string, Cycle | null>(async (ids) => {
      const rows = await scoped(Cycle, 'c').andWhere('c.id = ANY(CAST(:ids AS uuid[]))', { ids }).getMany();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    patient: new DataLoader<string, Patient | null>(async (ids) => {
      const rows = await scoped(Patient, 'p').andWhere('p.id = ANY(CAST(:ids AS uuid[]))', { ids }).getMany();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    /** Clinics the caller can see at all (any role); membership lists need those of auditors too. */
    clinic: new DataLoader<string, Clinic | null>(async (ids) => {
      const [condition, params] = scopeCondition('c.id', access.visibleScope());
      const rows = await dataSource.getRepository(Clinic).createQueryBuilder('c').where(condition, params)
        .andWhere('c.id = ANY(CAST(:ids AS uuid[]))', { ids }).getMany();
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),

    /** Embryos of each cycle, by label. */
    embryosByCycle: new DataLoader<string, Embryo[]>(async (cycleIds) => {
      const rows = await scoped(Embryo, 'e').andWhere('e.cycle_id = ANY(CAST(:ids AS uuid[]))', { ids: cycleIds })
        .orderBy('e.label').addOrderBy('e.id').getMany();
      const groups = groupBy(rows, (r) => r.cycleId);
      return cycleIds.map((id) => groups.get(id) ?? []);
    }),

    phasesByEmbryo: new DataLoader<string, EmbryoPhase[]>(async (embryoIds) => {
      const [condition, params] = scopeCondition('e.clinic_id', readScope());
      const rows = await dataSource.getRepository(EmbryoPhase).createQueryBuilder('ph')
        .innerJoin(Embryo, 'e', 'e.id = ph.embryo_id').where(condition, params)
        .andWhere('ph.embryo_id = ANY(CAST(:ids AS uuid[]))', { ids: embryoIds })
        .orderBy('ph.start_hpi', 'ASC', 'NULLS LAST').addOrderBy('ph.phase').getMany();
      const groups = groupBy(rows, (r) => r.embryoId);
      return embryoIds.map((id) => groups.get(id) ?? []);
    }),

    /** Models enabled for each clinic (active, shadow and plain), newest first. */
    modelsByClinic: new DataLoader<string, ClinicModelView[]>(async (clinicIds) => {
      const [condition, params] = scopeCondition('cm.clinic_id', readScope());
      const rows = await dataSource.getRepository(ClinicModel).createQueryBuilder('cm')
        .innerJoinAndSelect('cm.modelVersion', 'mv').where(condition, params)
        .andWhere('cm.clinic_id = ANY(CAST(:ids AS uuid[]))', { ids: clinicIds })
        .orderBy('mv.created_at', 'DESC').getMany();
      const groups = groupBy(rows, (r) => r.clinicId);
      return clinicIds.map((id) => (groups.get(id) ?? []).map((r) => ({ model: r.modelVersion!, active: r.active, shadow: r.shadow })));
    }),

    /** Predictions of (embryo, model) pairs, by segment. Key: `${embryoId}/${modelId}`. */
    predictions: new DataLoader<string, Prediction[]>(async (keys) => {
      const pairs = keys.map((k) => k.split('/'));
      const [condition, params] = scopeCondition('e.clinic_id', readScope());
      const rows = await dataSource.getRepository(Prediction).createQueryBuilder('p')
        .innerJoin(Embryo, 'e', 'e.id = p.embryo_id').where(condition, params)
        .andWhere(
          '(p.embryo_id, p.model_version_id) IN (SELECT * FROM unnest(CAST(:embryoIds AS uuid[]), CAST(:modelIds AS uuid[])))',
          { embryoIds: pairs.map((p) => p[0]), modelIds: pairs.map((p) => p[1]) },
        )
        .orderBy('p.segment').getMany();
      const groups = groupBy(rows, (r) => `${r.embryoId}/${r.modelVersionId}`);
      return keys.map((k) => groups.get(k) ?? []);
    }),

    importItemsByRun: new DataLoader<string, ImportRunItem[]>(async (runIds) => {
      const [condition, params] = scopeCondition('r.clinic_id', readScope());
      const rows = await dataSource.getRepository(ImportRunItem).createQueryBuilder('i')
        .innerJoin(ImportRun, 'r', 'r.id = i.import_run_id').where(condition, params)
        .andWhere('i.import_run_id = ANY(CAST(:ids AS uuid[]))', { ids: runIds }).orderBy('i.id').getMany();
      const groups = groupBy(rows, (r) => r.importRunId);
      return runIds.map((id) => groups.get(id) ?? []);
    }),

    /** A user's memberships restricted to clinics the caller can see. */
    membershipsByUser: new DataLoader<string, Membership[]>(async (userIds) => {
      const [condition, params] = scopeCondition('m.clinic_id', access.visibleScope());
      const rows = await dataSource.getRepository(Membership).createQueryBuilder('m').where(condition, params)
        .andWhere('m.user_id = ANY(CAST(:ids AS uuid[]))', { ids: userIds }).orderBy('m.created_at').getMany();
      const groups = groupBy(rows, (r) => r.userId);
      return userIds.map((id) => groups.get(id) ?? []);
    }),
  };
}

export type RequestLoaders = ReturnType<typeof createRequestLoaders>;
