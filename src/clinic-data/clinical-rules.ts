import { UNASSIGNED_CYCLE_EXTERNAL_ID } from '../entities';

/*
 * Rules about patients, cycles and embryos that every writer follows (the API's services, the
 * cycle sheet, folder, slide and DICOM imports), decided here once.
 */

/** No person or source may name a cycle like the clinic's `unassigned` cycle, whatever the case. */
export function isReservedCycleExternalId(externalId: string): boolean {
  return externalId.trim().toLowerCase() === UNASSIGNED_CYCLE_EXTERNAL_ID;
}

/** The cycle that holds embryos imported before a source named their cycle (created by the system only). */
export function isUnassignedCycle(cycle: { externalId: string }): boolean {
  return cycle.externalId === UNASSIGNED_CYCLE_EXTERNAL_ID;
}

/**
 * What a source that names an embryo's cycle may do with an embryo stored already: nothing when it
 * is in that cycle; move it there (`claim`) while it waits in the `unassigned` cycle; never move it
 * out of a cycle another source named (`conflict`).
 */
export function placementOf(
  embryo: { cycleExternalId: string },
  cycleExternalId: string,
): 'in-place' | 'claim' | 'conflict' {
  if (embryo.cycleExternalId === cycleExternalId) return 'in-place';
  return isUnassignedCycle({ externalId: embryo.cycleExternalId }) ? 'claim' : 'conflict';
}
