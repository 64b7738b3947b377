import type { EntityManager } from 'typeorm';
import type { ImportKind } from '../enums';
import type { SourceFileStatus } from '../import-source-file.entity';
import { ImportRun } from '../import-run.entity';
import { ImportSource } from '../import-source.entity';
import { scopedQuery, type ClinicScope } from './clinic-scope';
import { refusingDuplicates } from './duplicate-record';
import { leaseExpiredSql } from './process-lease.repository';

const UNIQUE_NAME = ['uq_import_source_clinic_name'];

export interface NewImportSource {
  clinicId: string;
  name: string;
  kind: ImportKind;
  path: string;
  schedule: string;
  scoreAfterImport: boolean;
  createdBy: string | null;
}

export type ImportSourceChange = Partial<
  Pick<ImportSource, 'name' | 'path' | 'schedule' | 'scoreAfterImport' | 'paused'>
>;

/** What a source's last scan knew of one file. */
export interface SeenFile {
  size: number;
  mtimeMs: number;
  status: SourceFileStatus;
}

export interface SeenFileRow extends SeenFile {
  path: string;
}

/** A folder of a source as its last look found it: the digest of its listing when every file of it was stored, else null. */
export interface SourceFolder {
  folder: string;
  digest: string | null;
  files: number;
}

/** One source's age of health, for the Prometheus gauge. */
export interface SourceHealthRow {
  id: string;
  clinicId: string;
  name: string;
  kind: ImportKind;
  paused: boolean;
  createdAt: Date;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
}

/** Import sources, the files their scans have seen, and their health. */
export class ImportSourceRepository {
  constructor(private readonly m: EntityManager) {}

  create(input: NewImportSource): Promise<ImportSource> {
    return refusingDuplicates(UNIQUE_NAME, () => this.m.getRepository(ImportSource).save({ ...input, paused: false }));
  }

  byId(id: string): Promise<ImportSource | null> {
    return this.m.getRepository(ImportSource).findOneBy({ id });
  }

  /** Sources by id inside the scope (the API's lookups: another clinic's source is not found). */
  sourcesIn(scope: ClinicScope, ids: string[]): Promise<ImportSource[]> {
    return scopedQuery(this.m, ImportSource, 's', scope)
      .andWhere('s.id = ANY(CAST(:ids AS uuid[]))', { ids })
      .getMany();
  }

  /** A clinic's sources inside the scope, by name. */
  ofClinic(scope: ClinicScope, clinicId: string): Promise<ImportSource[]> {
    return scopedQuery(this.m, ImportSource, 's', scope)
      .andWhere('s.clinic_id = :clinicId', { clinicId })
      .orderBy('s.name')
      .getMany();
  }

  /** Every source of every clinic that is not paused (the scheduler's list). */
  active(): Promise<ImportSource[]> {
    return this.m.getRepository(ImportSource).find({ where: { paused: false }, order: { createdAt: 'ASC' } });
  }

  /** Sources of a clinic with this name (names are unique per clinic). */
  async nameTaken(clinicId: string, name: string, exceptId?: string): Promise<boolean> {
    const row = await this.m.getRepository(ImportSource).findOneBy({ clinicId, name });
    return row !== null && row.id !== exceptId;
  }

  async update(id: string, change: ImportSourceChange): Promise<ImportSource> {
    await refusingDuplicates(UNIQUE_NAME, () =>
      this.m.update(ImportSource, { id }, { ...change, updatedAt: new Date() }),
    );
    return this.m.getRepository(ImportSource).findOneByOrFail({ id });
  }

  async remove(id: string): Promise<void> {
    await this.m.delete(ImportSource, { id });
  }

  /**
   * What a source's scans saw of the files in `folders` (every file when null), as one plain query:
   * four arrays in one row, far less per-row work in the driver than one row object per file.
   */
  async seenFiles(sourceId: string, folders: readonly string[] | null = null): Promise<Map<string, SeenFile>> {
    const seen = new Map<string, SeenFile>();
    if (folders !== null && folders.length === 0) return seen;
    const [row]: { paths: string[] | null; sizes: string[]; mtimes: number[]; statuses: SourceFileStatus[] }[] =
      await this.m.query(
        `SELECT array_agg(path) AS paths, array_agg(size) AS sizes, array_agg(mtime_ms) AS mtimes,
                array_agg(status) AS statuses
         FROM import_source_file WHERE source_id = $1 AND ($2::text[] IS NULL OR folder = ANY($2::text[]))`,
        [sourceId, folders],
      );
    const paths = row?.paths ?? [];
    for (let i = 0; i < paths.length; i++)
      seen.set(paths[i], { size: Number(row.sizes[i]), mtimeMs: Number(row.mtimes[i]), status: row.statuses[i] });
    return seen;
  }

  /** The folders the source's scans have seen files in: folder → digest when every file of it was stored, else null. */
  async folders(sourceId: string): Promise<Map<string, string | null>> {
    const rows: { folder: string; digest: string | null }[] = await this.m.query(
      'SELECT folder, digest FROM import_source_folder WHERE source_id = $1',
      [sourceId],
    );
    return new Map(rows.map((r) => [r.folder, r.digest]));
  }

  /** Records what a look at some folders found, and forgets folders that are gone. */
  async recordFolders(sourceId: string, folders: SourceFolder[], gone: string[]): Promise<void> {
    if (gone.length > 0)
      await this.m.query('DELETE FROM import_source_folder WHERE source_id = $1 AND folder = ANY($2::text[])', [
        sourceId,
        gone,
      ]);
    const CHUNK = 5000;
    for (let i = 0; i < folders.length; i += CHUNK) {
      const chunk = folders.slice(i, i + CHUNK);
      await this.m.query(
        `INSERT INTO import_source_folder (source_id, folder, digest, files)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[])
         ON CONFLICT (source_id, folder) DO UPDATE SET digest = EXCLUDED.digest, files = EXCLUDED.files`,
        [sourceId, chunk.map((f) => f.folder), chunk.map((f) => f.digest), chunk.map((f) => f.files)],
      );
    }
  }

  /** Inserts or replaces what a scan learnt of some files, in chunks of one multi-row statement each. */
  async recordFiles(sourceId: string, files: SeenFileRow[]): Promise<void> {
    const CHUNK = 5000;
    for (let i = 0; i < files.length; i += CHUNK) {
      const chunk = files.slice(i, i + CHUNK);
      await this.m.query(
        `INSERT INTO import_source_file (source_id, path, size, mtime_ms, status)
         SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::double precision[], $5::text[])
         ON CONFLICT (source_id, path) DO UPDATE
           SET size = EXCLUDED.size, mtime_ms = EXCLUDED.mtime_ms, status = EXCLUDED.status`,
        [
          sourceId,
          chunk.map((f) => f.path),
          chunk.map((f) => f.size),
          chunk.map((f) => f.mtimeMs),
          chunk.map((f) => f.status),
        ],
      );
    }
  }

  /** Forgets files that are gone from the folder (a file that comes back is new again). */
  async forgetFiles(sourceId: string, paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.m.query('DELETE FROM import_source_file WHERE source_id = $1 AND path = ANY($2::text[])', [
      sourceId,
      paths,
    ]);
  }

  /**
   * Claims the source's scan for the process holding `leaseId`: false while another scan of it
   * runs, so overlapping ticks and workers never import the same folder at once. A claim ends with
   * its holder: once the holder's process lease is expired or gone the source can be claimed again
   * (a dead worker blocks it for a lease time, not the job's expiry). A claim without a lease
   * (`leaseId` null, or made before leases named the holder) ends after `staleAfterMs`.
   */
  async claimScan(sourceId: string, leaseId: string | null, staleAfterMs: number): Promise<boolean> {
    const [rows]: [{ id: string }[], number] = await this.m.query(
      `UPDATE import_source s SET scan_started_at = now(), scan_lease_id = $3
       WHERE id = $1 AND (
         s.scan_started_at IS NULL
         OR (s.scan_lease_id IS NULL AND s.scan_started_at < now() - $2 * interval '1 millisecond')
         OR (s.scan_lease_id IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM process_lease l WHERE l.id = s.scan_lease_id AND NOT (${leaseExpiredSql('l')}))))
       RETURNING id`,
      [sourceId, staleAfterMs, leaseId],
    );
    return rows.length > 0;
  }

  /**
   * Records the end of a scan (and releases its lease): a success resets the failure streak, a failure extends it. Returns
   * the streak after the update (atomic, so two workers never count the same failure twice).
   */
  async recordScan(sourceId: string, outcome: { ok: boolean; error: string | null }): Promise<number> {
    // PostgreSQL UPDATE … RETURNING comes back from TypeORM as [rows, affected]
    const [rows]: [{ consecutive_failures: number }[], number] = await this.m.query(
      `UPDATE import_source SET
         last_checked_at = now(),
         last_success_at = CASE WHEN $2 THEN now() ELSE last_success_at END,
         consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures + 1 END,
         last_error = $3,
         scan_started_at = NULL,
         scan_lease_id = NULL
       WHERE id = $1
       RETURNING consecutive_failures`,
      [sourceId, outcome.ok, outcome.error],
    );
    return rows[0]?.consecutive_failures ?? 0;
  }

  /** The newest `perSource` import runs of each source, newest first. */
  async lastRuns(scope: ClinicScope, sourceIds: readonly string[], perSource: number): Promise<ImportRun[]> {
    if (sourceIds.length === 0) return [];
    return scopedQuery(this.m, ImportRun, 'r', scope)
      .andWhere(
        `r.id IN (SELECT x.id FROM unnest(CAST(:ids AS uuid[])) AS s(id)
           CROSS JOIN LATERAL (SELECT id FROM import_run WHERE import_source_id = s.id
             ORDER BY started_at DESC, id DESC LIMIT :n) AS x)`,
        { ids: sourceIds, n: perSource },
      )
      .orderBy('r.started_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .getMany();
  }

  /** Every source with its last success, for the age gauge. */
  health(): Promise<SourceHealthRow[]> {
    return this.m.getRepository(ImportSource).find({
      select: {
        id: true,
        clinicId: true,
        name: true,
        kind: true,
        paused: true,
        createdAt: true,
        lastSuccessAt: true,
        consecutiveFailures: true,
      },
    });
  }

  /** Whether a cycle sheet import of the clinic finished after `since` (skipped DICOM files may now find their cycle). */
  async cyclesImportedSince(clinicId: string, since: Date | null): Promise<boolean> {
    const rows: unknown[] = await this.m.query(
      `SELECT 1 FROM import_run WHERE clinic_id = $1 AND kind = 'CYCLES' AND status <> 'FAILED'
         AND finished_at > coalesce($2::timestamptz, '-infinity') LIMIT 1`,
      [clinicId, since],
    );
    return rows.length > 0;
  }

  /** Of these embryos of a clinic, the ones in an ACTIVE cycle (scoring follows imports for them only). */
  async embryosInActiveCycles(clinicId: string, embryoIds: string[]): Promise<string[]> {
    if (embryoIds.length === 0) return [];
    const rows: { id: string }[] = await this.m.query(
      `SELECT e.id FROM embryo e JOIN cycle c ON c.id = e.cycle_id
       WHERE e.clinic_id = $1 AND e.id = ANY($2::uuid[]) AND c.status = 'ACTIVE' ORDER BY e.id`,
      [clinicId, embryoIds],
    );
    return rows.map((r) => r.id);
  }
}
