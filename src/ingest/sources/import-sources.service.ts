import cron from 'node-cron';
import { ClinicGrant } from '../../auth/grants';
import { Permission } from '../../auth/permissions';
import { RecordNotFound } from '../../clinic-data/errors';
import { AuditAction, IMPORT_KINDS, type ImportKind, type ImportSource } from '../../entities';
import { DuplicateRecordError, type DataStore, type ImportSourceChange } from '../../entities/repositories';
import { UserError } from '../../platform/errors';
import { isUuid } from '../../platform/ids';
import { confineToRoots } from './allowed-roots';

export interface ImportSourceInput {
  name: string;
  kind: ImportKind;
  path: string;
  schedule: string;
  scoreAfterImport?: boolean;
}

export type ImportSourcePatch = Partial<Omit<ImportSourceInput, 'kind'>>;

/** A source's health as the API and the CLI show it. */
export interface ImportSourceHealth {
  healthy: boolean;
  lastCheckedAt: Date | null;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
  lastError: string | null;
}

export function healthOf(source: ImportSource): ImportSourceHealth {
  return {
    healthy: source.consecutiveFailures === 0,
    lastCheckedAt: source.lastCheckedAt,
    lastSuccessAt: source.lastSuccessAt,
    consecutiveFailures: source.consecutiveFailures,
    lastError: source.lastError,
  };
}

/**
 * Import sources of a clinic, configured by its ADMIN (MANAGE): a folder under an allowed root
 * (IMPORT_ROOTS), what it holds, when it is scanned (cron) and whether scoring follows. Every
 * change writes its audit event in the same transaction. A source of another clinic is "not found".
 */
export class ImportSourcesService {
  constructor(
    private readonly store: DataStore,
    private readonly roots: readonly string[],
  ) {}

  /** The grant's clinic's sources, by name. */
  list(grant: ClinicGrant): Promise<ImportSource[]> {
    ClinicGrant.check(grant, Permission.READ_CLINICAL);
    return this.store.importSources.ofClinic({ all: false, clinicIds: [grant.clinicId] }, grant.clinicId);
  }

  /** One source of the grant's clinic. */
  async get(grant: ClinicGrant, id: string): Promise<ImportSource> {
    ClinicGrant.check(grant, Permission.READ_CLINICAL);
    return this.sourceOf(grant, id);
  }

  /** One source of the grant's clinic, for an action of its ADMIN (MANAGE) on it. */
  async toChange(grant: ClinicGrant, id: string): Promise<ImportSource> {
    ClinicGrant.check(grant, Permission.MANAGE);
    return this.sourceOf(grant, id);
  }

  async create(grant: ClinicGrant, input: ImportSourceInput): Promise<ImportSource> {
    ClinicGrant.check(grant, Permission.MANAGE);
    if (!(IMPORT_KINDS as readonly string[]).includes(input.kind))
      throw new UserError(`source kind must be one of ${IMPORT_KINDS.join(', ')} (got "${input.kind}")`);
    const name = checkName(input.name);
    const schedule = checkSchedule(input.schedule);
    const path = await confineToRoots(input.path.trim(), this.roots);
    return this.unique(name, () =>
      this.store.transaction(async (tx) => {
        if (await tx.importSources.nameTaken(grant.clinicId, name)) throw duplicate(name);
        const source = await tx.importSources.create({
          clinicId: grant.clinicId,
          name,
          kind: input.kind,
          path,
          schedule,
          scoreAfterImport: input.scoreAfterImport ?? true,
          createdBy: grant.actor.userId,
        });
        await tx.audit.append(grant.actor, {
          action: AuditAction.IMPORT_SOURCE_CREATED,
          entity: 'import_source',
          entityId: source.id,
          clinicId: grant.clinicId,
          detail: { name, kind: source.kind, path, schedule, scoreAfterImport: source.scoreAfterImport },
        });
        return source;
      }),
    );
  }

  /** Changes name, path, schedule or whether scoring follows; the audit event lists old and new values. */
  async update(grant: ClinicGrant, id: string, patch: ImportSourcePatch): Promise<ImportSource> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const source = await this.sourceOf(grant, id);
    const change: ImportSourceChange = {};
    if (patch.name !== undefined) change.name = checkName(patch.name);
    if (patch.schedule !== undefined) change.schedule = checkSchedule(patch.schedule);
    if (patch.path !== undefined) change.path = await confineToRoots(patch.path.trim(), this.roots);
    if (patch.scoreAfterImport !== undefined) change.scoreAfterImport = patch.scoreAfterImport;
    const changed = (Object.keys(change) as (keyof ImportSourceChange)[]).filter((k) => change[k] !== source[k]);
    if (changed.length === 0) return source;
    return this.unique(change.name ?? source.name, () =>
      this.store.transaction(async (tx) => {
        if (change.name !== undefined && (await tx.importSources.nameTaken(grant.clinicId, change.name, id)))
          throw duplicate(change.name);
        const updated = await tx.importSources.update(id, change);
        // a new folder has none of the old folder's files
        if (change.path !== undefined)
          await tx.importSources.forgetFiles(id, [...(await tx.importSources.seenFiles(id)).keys()]);
        await tx.audit.append(grant.actor, {
          action: AuditAction.IMPORT_SOURCE_CHANGED,
          entity: 'import_source',
          entityId: id,
          clinicId: grant.clinicId,
          detail: Object.fromEntries(changed.map((k) => [k, { from: source[k], to: updated[k] }])),
        });
        return updated;
      }),
    );
  }

  /** Pauses (no scans) or resumes a source; audited only when it changes. */
  async setPaused(grant: ClinicGrant, id: string, paused: boolean): Promise<ImportSource> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const source = await this.sourceOf(grant, id);
    if (source.paused === paused) return source;
    return this.store.transaction(async (tx) => {
      const updated = await tx.importSources.update(id, { paused });
      await tx.audit.append(grant.actor, {
        action: paused ? AuditAction.IMPORT_SOURCE_PAUSED : AuditAction.IMPORT_SOURCE_RESUMED,
        entity: 'import_source',
        entityId: id,
        clinicId: grant.clinicId,
        detail: { name: source.name },
      });
      return updated;
    });
  }

  /** Removes a source and what it remembers of its files; its import runs stay (unlinked). */
  async remove(grant: ClinicGrant, id: string): Promise<ImportSource> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const source = await this.sourceOf(grant, id);
    await this.store.transaction(async (tx) => {
      await tx.importSources.remove(id);
      await tx.audit.append(grant.actor, {
        action: AuditAction.IMPORT_SOURCE_REMOVED,
        entity: 'import_source',
        entityId: id,
        clinicId: grant.clinicId,
        detail: { name: source.name, kind: source.kind, path: source.path },
      });
    });
    return source;
  }

  private async sourceOf(grant: ClinicGrant, id: string): Promise<ImportSource> {
    const [source] = isUuid(id)
      ? await this.store.importSources.sourcesIn({ all: false, clinicIds: [grant.clinicId] }, [id])
      : [];
    if (!source) throw new RecordNotFound('import source');
    return source;
  }

  private async unique<T>(name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DuplicateRecordError) throw duplicate(name);
      throw error;
    }
  }
}

function duplicate(name: string): UserError {
  return new UserError(`an import source named "${name}" already exists in this clinic`);
}

function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > 200) throw new UserError('source name must have 1 to 200 characters');
  return name;
}

/** Five-field cron (minute hour day month weekday): sources are looked at once a minute. */
export function checkSchedule(raw: string): string {
  const schedule = raw.trim().replace(/\s+/g, ' ');
  if (schedule.split(' ').length !== 5 || !cron.validate(schedule))
    throw new UserError(`schedule must be a five-field cron expression such as "*/5 * * * *" (got "${raw}")`);
  return schedule;
}
