import { Permission } from '../../auth/permissions';
import type { ClinicModel } from '../../entities';
import type { ClinicAccess } from './clinic-access';

/*
 * Who sees which model (DESIGN.md §8, decided here): administrators (network admins and ADMINs of
 * any clinic) see every registered version; other members see the versions enabled (not in shadow
 * mode) in their clinics. A clinic's rows are shown for visible clinics only, and a shadow
 * (silent-mode) row only to that clinic's admins, for whom its probabilities exist too.
 */

/** The clinic rows a caller may see. */
export function visibleClinicModels<T extends Pick<ClinicModel, 'clinicId' | 'shadow'>>(
  access: ClinicAccess,
  rows: T[],
): T[] {
  return rows.filter(
    (r) =>
      access.roleIn(r.clinicId) !== undefined &&
      (!r.shadow || access.allows(r.clinicId, Permission.VIEW_SHADOW_MODELS)),
  );
}

/** Clinic rows are read for the caller's clinics only (all clinics for a network admin). */
export function clinicFilter(access: ClinicAccess): { clinicIds?: string[] } {
  const scope = access.visibleScope();
  return scope.all ? {} : { clinicIds: scope.clinicIds };
}

/** Whether the version shows in the caller's lists, given the version's clinic rows. */
export function modelVisible(access: ClinicAccess, clinicRows: ClinicModel[]): boolean {
  return access.administersAny || visibleClinicModels(access, clinicRows).length > 0;
}
