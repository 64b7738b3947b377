import type { Role } from '../api/generated';

/**
 * What the pages offer to each role in a clinic: the same table as the server's
 * (src/auth/permissions.ts, DESIGN.md §8). The server refuses anyway; this only keeps the pages
 * from offering what would be refused.
 */
const ALLOWED = {
  ownAccount: ['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR'],
  viewLab: ['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN'],
  viewRuns: ['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN'],
  recordOutcome: ['ADMIN', 'EMBRYOLOGIST'],
  recordAssessment: ['ADMIN', 'EMBRYOLOGIST'],
  requestScoring: ['ADMIN', 'EMBRYOLOGIST'],
  manageModels: ['ADMIN'],
  manageCycles: ['ADMIN'],
  viewShadowModels: ['ADMIN'],
  manageUsers: ['ADMIN'],
  manageImport: ['ADMIN'],
  manageSafety: ['ADMIN'],
  readAuditLog: ['ADMIN', 'AUDITOR'],
  readAgreement: ['ADMIN', 'AUDITOR'],
} as const satisfies Record<string, readonly Role[]>;

export type Capability = keyof typeof ALLOWED;

export function can(role: Role | undefined, capability: Capability): boolean {
  return role !== undefined && (ALLOWED[capability] as readonly Role[]).includes(role);
}

/** Pages for network administrators only (the whole network, not one clinic's role). */
export type PageAccess = Capability | 'networkAdmin';

export function mayOpen(
  access: PageAccess,
  role: Role | undefined,
  me: { networkAdmin: boolean } | undefined,
): boolean {
  return access === 'networkAdmin' ? me?.networkAdmin === true : can(role, access);
}
