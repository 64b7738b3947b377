import { registerEnumType } from 'type-graphql';
import { CYCLE_METHODS, CYCLE_STATUSES, IMPORT_KINDS, OUTCOMES, ROLES, RUN_STATUSES } from '../../entities';

const asEnum = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

/** GraphQL enums mirror the value sets of the schema's CHECK constraints. */
export const RoleEnum = asEnum(ROLES);
export const CycleStatusEnum = asEnum(CYCLE_STATUSES);
export const CycleMethodEnum = asEnum(CYCLE_METHODS);
export const OutcomeEnum = asEnum(OUTCOMES);
export const RunStatusEnum = asEnum(RUN_STATUSES);
export const ImportKindEnum = asEnum(IMPORT_KINDS);
export const EmbryoOrderEnum = asEnum(['LABEL'] as const);
export type EmbryoOrder = keyof typeof EmbryoOrderEnum;

registerEnumType(RoleEnum, { name: 'Role', description: 'A role in one clinic (DESIGN.md §8).' });
registerEnumType(CycleStatusEnum, { name: 'CycleStatus' });
registerEnumType(CycleMethodEnum, { name: 'CycleMethod' });
registerEnumType(OutcomeEnum, { name: 'Outcome' });
registerEnumType(RunStatusEnum, { name: 'RunStatus' });
registerEnumType(ImportKindEnum, { name: 'ImportKind' });
registerEnumType(EmbryoOrderEnum, {
  name: 'EmbryoOrder',
  description:
    "LABEL: by well label. (Ranking by score is `Cycle.ranking`, which carries the model's label and warning.)",
});
