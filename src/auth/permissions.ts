import type { Role } from '../entities';

/** What a role may do inside its own clinic: the table of DESIGN.md §8, in one place. */
export const Permission = {
  /** cycles, patients, embryos, trajectories, scoring and import reports */
  READ_CLINICAL: 'READ_CLINICAL',
  READ_FRAMES: 'READ_FRAMES',
  /** record outcomes, run imports, request scoring */
  LAB_WORK: 'LAB_WORK',
  /** cycles/patients, users and memberships, models */
  MANAGE: 'MANAGE',
  READ_AUDIT_LOG: 'READ_AUDIT_LOG',
  /** see shadow (silent) models and their probabilities */
  VIEW_SHADOW_MODELS: 'VIEW_SHADOW_MODELS',
  /** see a model's scores of an embryo nobody assessed yet in an "assessment first" clinic */
  SCORES_BEFORE_ASSESSMENT: 'SCORES_BEFORE_ASSESSMENT',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  ADMIN: [
    Permission.READ_CLINICAL,
    Permission.READ_FRAMES,
    Permission.LAB_WORK,
    Permission.MANAGE,
    Permission.READ_AUDIT_LOG,
    Permission.VIEW_SHADOW_MODELS,
    Permission.SCORES_BEFORE_ASSESSMENT,
  ],
  EMBRYOLOGIST: [Permission.READ_CLINICAL, Permission.READ_FRAMES, Permission.LAB_WORK],
  CLINICIAN: [Permission.READ_CLINICAL, Permission.READ_FRAMES],
  AUDITOR: [Permission.READ_AUDIT_LOG],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
