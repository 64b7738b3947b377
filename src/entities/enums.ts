/** Value sets stored as text with CHECK constraints (see the initial migration). */
export const ROLES = ['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

export const CYCLE_METHODS = ['IVF', 'ICSI'] as const;
export type CycleMethod = (typeof CYCLE_METHODS)[number];

export const CYCLE_STATUSES = ['ACTIVE', 'COMPLETED', 'CANCELLED'] as const;
export type CycleStatus = (typeof CYCLE_STATUSES)[number];

export const OUTCOMES = ['BLASTOCYST', 'NOT_BLASTOCYST', 'UNKNOWN'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const MODEL_VARIANTS = ['baseline', 'tsm', 'tsm-channel', 'amsnet'] as const;
export type ModelVariant = (typeof MODEL_VARIANTS)[number];

/** Where a model version's weights came from: built untrained, trained by the project's trainer, or brought in. */
export const MODEL_PROVENANCE_KINDS = ['random', 'trained', 'imported'] as const;
export type ModelProvenanceKind = (typeof MODEL_PROVENANCE_KINDS)[number];

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'PARTIAL'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const IMPORT_KINDS = ['FOLDER', 'PDB', 'DICOM', 'CYCLES'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_ITEM_STATUSES = ['stored', 'alreadyStored', 'skipped', 'failed'] as const;
export type ImportItemStatus = (typeof IMPORT_ITEM_STATUSES)[number];

/** External id of the per-clinic cycle that holds embryos whose cycle no sheet has named yet. */
export const UNASSIGNED_CYCLE_EXTERNAL_ID = 'unassigned';

/** Segments of 6 h over 7 days of culture (DESIGN.md §5). */
export const SEGMENT_HOURS = 6;
export const SEGMENT_COUNT = 28;
