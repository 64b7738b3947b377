import type { DataSource, ObjectLiteral, SelectQueryBuilder, EntityTarget } from 'typeorm';
import { Permission } from '../../auth/permissions';
import {
  AuditEvent, Clinic, Cycle, Embryo, Frame, FrameImage, ImportRun, Patient, ScoringRun, User,
  type CycleStatus,
} from '../../entities';
import { NotFoundError } from '../errors';
import { BIGINT_KEY, decodeCursor, toPage, UUID_KEY, type Page } from '../pagination';
import { isUuid, scopeCondition, type ClinicAccess, type ClinicGrant, type ClinicScope } from './clinic-access';

/**
 * Every read a resolver makes goes through here: each query carries the clinic scope of the caller
 * for the permission it needs. Lookups by id search the caller's visible clinics, so a row of
 * another clinic is "not found" exactly like a missing id; a visible row the role may not read
 * is FORBIDDEN (ClinicAccess.assertAllowed).
 */
export class ScopedData {
  constructor(
    private readonly access: ClinicAccess,
    private readonly dataSource: DataSource,
  ) {}

  /** A query builder for `entity` already restricted to `scope` on `alias.clinic_id`. */
  scoped<T extends ObjectLiteral>(entity: EntityTarget<T>, alias: string, scope: ClinicScope, column = `${alias}.clinic_id`): SelectQueryBuilder<T> {
    const [condition, params] = scopeCondition(column, scope);
    return this.dataSource.getRepository(entity).createQueryBuilder(alias).where(condition, params);
  }

  private async byId<T extends ObjectLiteral & { clinicId: string | null }>(
    entity: EntityTarget<T>, name: string, id: string, permission: Permission, validId = isUuid(id),
  ): Promise<T> {
    if (!validId) throw new NotFoundError(name);
    const row = await this.scoped(entity, 'row', this.access.visibleScope()).andWhere('row.id = :id', { id }).getOne();
    if (!row || row.clinicId === null) throw new NotFoundError(name);
    this.access.assertAllowed(row.clinicId, permission);
    return row;
  }

  /** The caller's own user row. */
  async self(): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id: this.access.principal.userId });
    if (!user) throw new NotFoundError('user');
    return user;
  }

  clinic(id: string): Promise<Clinic> {
    if (!isUuid(id) || this.access.roleIn(id) === undefined) return Promise.reject(new NotFoundError('clinic'));
    return this.dataSource.getRepository(Clinic).findOneByOrFail({ id }).catch(() => Promise.reject(new NotFoundError('clinic')));
  }

  /** Users with a role in a clinic the caller may manage. */
  membersOf(grant: ClinicGrant): Promise<User[]> {
    return this.dataSource.getRepository(User).createQueryBuilder('u')
      .where('u.id IN (SELECT m.user_id FROM membership m WHERE m.clinic_id = :clinicId)', { clinicId: grant.clinicId })
      .orderBy('u.email').getMany();
  }

  /** Clinics where the caller has a role (every clinic for a network admin), by code. */
  clinics(): Promise<Clinic[]> {
    return this.scoped(Clinic, 'c', this.access.visibleScope(), 'c.id').orderBy('c.code').getMany();
  }

  cycle(id: string, permission: Permission = Permission.READ_CLINICAL): Promise<Cycle> {
    return this.byId(Cycle, 'cycle', id, permission);
  }

  embryo(id: string, permission: Permission = Permission.READ_CLINICAL): Promise<Embryo> {
    return this.byId(Embryo, 'embryo', id, permission);
  }

  patient(id: string, permission: Permission = Permission.READ_CLINICAL): Promise<Patient> {
    return this.byId(Patient, 'patient', id, permission);
  }

  /** A frame and the clinic of its embryo (frames carry no clinic id of their own). */
  async frame(id: string): Promise<{ frame: Frame; clinicId: string }> {
    if (!BIGINT_KEY.test(id)) throw new NotFoundError('frame');
    const [condition, params] = scopeCondition('e.clinic_id', this.access.visibleScope());
    const row = await this.dataSource
      .getRepository(Frame)
      .createQueryBuilder('f')
      .innerJoin(Embryo, 'e', 'e.id = f.embryo_id')
      .addSelect('e.clinic_id', 'embryo_clinic_id')
      .where(condition, params)
      .andWhere('f.id = :id', { id })
      .getRawAndEntities();
    const frame = row.entities[0];
    if (!frame) throw new NotFoundError('frame');
    const clinicId = row.raw[0].embryo_clinic_id as string;
    this.access.assertAllowed(clinicId, Permission.READ_FRAMES);
    return { frame, clinicId };
  }

  /** A frame's stored image, after the same checks as `frame` (READ_FRAMES in the frame's clinic). */
  async frameImage(id: string): Promise<{ frame: Frame; clinicId: string; image: FrameImage }> {
    const { frame, clinicId } = await this.frame(id);
    const image = await this.dataSource.getRepository(FrameImage).findOneBy({ sha256: frame.sha256 });
    if (!image) throw new Error(`frame ${frame.id}: image ${frame.sha256} is missing`); // FK makes this a bug, not a 404
    return { frame, clinicId, image };
  }

  /** Embryos by id for a mutation: all must exist in the caller's visible clinics. */
  async embryos(ids: string[], permission: Permission): Promise<Embryo[]> {
    if (ids.some((id) => !isUuid(id))) throw new NotFoundError('embryo');
    const unique = [...new Set(ids)];
    const rows = await this.scoped(Embryo, 'e', this.access.visibleScope()).andWhere('e.id = ANY(CAST(:ids AS uuid[]))', { ids: unique }).getMany();
    if (rows.length !== unique.length) throw new NotFoundError('embryo');
    for (const row of rows) this.access.assertAllowed(row.clinicId, permission);
    return rows;
  }

  async cycles(filter: { clinicIds?: string[]; status?: CycleStatus; patientMrn?: string }, first: number, after?: string | null): Promise<Page<Cycle>> {
    const afterId = decodeCursor('cycle', after, UUID_KEY);
    const query = this.scoped(Cycle, 'c', this.access.scopeFor(Permission.READ_CLINICAL));
    if (filter.clinicIds) query.andWhere('c.clinic_id = ANY(CAST(:clinicIds AS uuid[]))', { clinicIds: filter.clinicIds });
    if (filter.status) query.andWhere('c.status = :status', { status: filter.status });
    if (filter.patientMrn !== undefined) {
      query.andWhere('c.patient_id IN (SELECT p.id FROM patient p WHERE p.mrn = :mrn AND p.clinic_id = c.clinic_id)', { mrn: filter.patientMrn });
    }
    if (afterId) query.andWhere('(c.created_at, c.id) < (SELECT a.created_at, a.id FROM cycle a WHERE a.id = :afterId)', { afterId });
    // newest first; the id breaks ties so the order is total and pages never overlap
    const rows = await query.orderBy('c.created_at', 'DESC').addOrderBy('c.id', 'DESC').limit(first + 1).getMany();
    return toPage(rows, first);
  }

  async frames(embryo: Embryo, focalPlaneUm: number | undefined, first: number, after?: string | null): Promise<Page<Frame>> {
    this.access.assertAllowed(embryo.clinicId, Permission.READ_FRAMES);
    const afterId = decodeCursor('frame', after, BIGINT_KEY);
    const query = this.dataSource.getRepository(Frame).createQueryBuilder('f').where('f.embryo_id = :embryoId', { embryoId: embryo.id });
    if (focalPlaneUm !== undefined) query.andWhere('f.focal_plane_um = :plane', { plane: focalPlaneUm });
    if (afterId) {
      query.andWhere(
        '(f.hours_post_insemination, f.focal_plane_um, f.id) > (SELECT a.hours_post_insemination, a.focal_plane_um, a.id FROM frame a WHERE a.id = :afterId)',
        { afterId },
      );
    }
    const rows = await query.orderBy('f.hours_post_insemination').addOrderBy('f.focal_plane_um').addOrderBy('f.id').limit(first + 1).getMany();
    return toPage(rows, first);
  }

  async scoringRuns(clinicId: string, first: number, after?: string | null): Promise<Page<ScoringRun>> {
    const afterId = decodeCursor('scoring-run', after, UUID_KEY);
    const query = this.scoped(ScoringRun, 'r', this.access.scopeFor(Permission.READ_CLINICAL)).andWhere('r.clinic_id = :clinicId', { clinicId });
    if (afterId) query.andWhere('(r.created_at, r.id) < (SELECT a.created_at, a.id FROM scoring_run a WHERE a.id = :afterId)', { afterId });
    const rows = await query.orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').limit(first + 1).getMany();
    return toPage(rows, first);
  }

  async importRuns(clinicId: string, first: number, after?: string | null): Promise<Page<ImportRun>> {
    const afterId = decodeCursor('import-run', after, UUID_KEY);
    const query = this.scoped(ImportRun, 'r', this.access.scopeFor(Permission.READ_CLINICAL)).andWhere('r.clinic_id = :clinicId', { clinicId });
    if (afterId) query.andWhere('(r.started_at, r.id) < (SELECT a.started_at, a.id FROM import_run a WHERE a.id = :afterId)', { afterId });
    const rows = await query.orderBy('r.started_at', 'DESC').addOrderBy('r.id', 'DESC').limit(first + 1).getMany();
    return toPage(rows, first);
  }

  /**
   * Oldest first within [from, to); the id (monotonic) is the cursor. `clinicId` null: events of
   * no clinic (sign-ins), which only a network admin's scope (`all`) reaches.
   */
  async auditEvents(clinicId: string | null, range: { from?: Date; to?: Date }, first: number, after?: string | null): Promise<Page<AuditEvent>> {
    const afterId = decodeCursor('audit', after, BIGINT_KEY);
    const query = this.scoped(AuditEvent, 'a', this.access.scopeFor(Permission.READ_AUDIT_LOG));
    if (clinicId === null) query.andWhere('a.clinic_id IS NULL');
    else query.andWhere('a.clinic_id = :clinicId', { clinicId });
    if (range.from) query.andWhere('a.at >= :from', { from: range.from });
    if (range.to) query.andWhere('a.at < :to', { to: range.to });
    if (afterId) query.andWhere('a.id > :afterId', { afterId });
    const rows = await query.orderBy('a.id', 'ASC').limit(first + 1).getMany();
    return toPage(rows, first);
  }
}
