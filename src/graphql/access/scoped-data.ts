import type { ClinicGrant } from '../../auth/grants';
import { Permission } from '../../auth/permissions';
import {
  AuditAction,
  type AuditActor,
  type AuditEvent,
  type Clinic,
  type ClinicModel,
  type Cycle,
  type CycleStatus,
  type DeviceCredential,
  type Embryo,
  type EmbryoAssessment,
  type ModelMonitoringPoint,
  type EmbryoPhase,
  type Frame,
  type FrameImage,
  type ImportRun,
  type ImportRunItem,
  type ImportSource,
  type Membership,
  type ModelVersion,
  type Patient,
  type ScoringRun,
  type User,
} from '../../entities';
import type { AuditRecord, ClinicScope, Page, Repositories, StoredPrediction } from '../../entities/repositories';
import { isUuid } from '../../platform/ids';
import { NotFoundError } from '../errors';
import { BIGINT_KEY, decodeCursor, UUID_KEY } from '../pagination';
import type { ClinicAccess } from './clinic-access';
import { clinicFilter, modelVisible, visibleClinicModels } from './model-visibility';
import { createRequestLoaders, type RequestLoaders } from './request-loaders';

/** A stored prediction as trajectories read it (inputs and runtime parsed only when asked for). */
export type { StoredPrediction };

/** What an embryo's score fields show: a model's predictions, or why they are withheld. */
export type EmbryoScores = { view: ClinicModel; predictions: StoredPrediction[] } | { withheld: string };

export const SUSPENDED_NOTICE = "scoring suspended by the clinic's administrators";

export const ASSESSMENT_FIRST_NOTICE =
  "assessment first: the model's score is shown once an embryologist has recorded an assessment of this embryo";

/**
 * The per-request data layer: the only way the API reaches clinic rows. Every read carries the
 * caller's clinic scope for the permission it needs; lookups by id search the caller's visible
 * clinics, so a row of another clinic is "not found" exactly like a missing id, and a visible row
 * the role may not read is FORBIDDEN. Reads of patient-level data record their audit event here
 * (one event per read operation, not per field), written before the data leaves the server, so no
 * resolver can forget it; if the audit cannot be written the read fails. Lookups for a change (`…ToChange`)
 * return the grant the change needs and audit nothing: the change audits itself.
 */
export class ScopedData {
  private readonly loaders: RequestLoaders;
  /** With `auditAtEnd`: the request's read events not yet written, with who read. */
  private readonly pendingAudit: Array<{ actor: AuditActor; record: AuditRecord }> | undefined;

  /**
   * `auditAtEnd` (the GraphQL path): read events are collected and written together, in one
   * statement, by `flushAudit` before the response leaves the server (api.ts's audit plugin), so a
   * request that reads a cycle, a patient and an embryo writes one INSERT, not three. Without it
   * each read writes its events at once.
   */
  constructor(
    private readonly access: ClinicAccess,
    private readonly store: Repositories,
    options: { auditAtEnd?: boolean } = {},
  ) {
    this.loaders = createRequestLoaders(store, access);
    this.pendingAudit = options.auditAtEnd ? [] : undefined;
  }

  private audit(records: AuditRecord | AuditRecord[]): Promise<void> {
    const actor = this.access.actor;
    if (!this.pendingAudit) return this.store.audit.append(actor, records);
    for (const record of Array.isArray(records) ? records : [records]) this.pendingAudit.push({ actor, record });
    return Promise.resolve();
  }

  /**
   * Writes the read events collected so far in one statement (one per actor: only a sign-in
   * inside the request changes it). The data they describe must not leave the server unless
   * this succeeds.
   */
  async flushAudit(): Promise<void> {
    const pending = this.pendingAudit?.splice(0) ?? [];
    while (pending.length > 0) {
      const { actor } = pending[0];
      const same = (p: { actor: AuditActor }) =>
        p.actor.userId === actor.userId && p.actor.requestId === actor.requestId;
      await this.store.audit.append(
        actor,
        pending.filter(same).map((p) => p.record),
      );
      pending.splice(0, pending.length, ...pending.filter((p) => !same(p)));
    }
  }

  /** One row by id inside the visible scope, readable under `permission`. */
  private async byId<T extends { clinicId: string }>(
    name: string,
    id: string,
    permission: Permission,
    find: (scope: ClinicScope, ids: string[]) => Promise<T[]>,
  ): Promise<T> {
    if (!isUuid(id)) throw new NotFoundError(name);
    const [row] = await find(this.access.visibleScope(), [id]);
    if (!row) throw new NotFoundError(name);
    this.access.assertAllowed(row.clinicId, permission);
    return row;
  }

  // ---- accounts and clinics -------------------------------------------------------------------

  /** The caller's own user row. */
  async me(): Promise<User> {
    const user = await this.store.accounts.user(this.access.principal.userId);
    if (!user) throw new NotFoundError('user');
    return user;
  }

  /** Clinics where the caller has a role (every clinic for a network admin), by code. */
  clinics(): Promise<Clinic[]> {
    return this.store.clinics.list(this.access.visibleScope());
  }

  async clinic(id: string): Promise<Clinic> {
    const clinic = isUuid(id) && this.access.roleIn(id) !== undefined ? await this.store.clinics.byId(id) : null;
    if (!clinic) throw new NotFoundError('clinic');
    return clinic;
  }

  /** The clinic a visible row belongs to. */
  async clinicOf(row: { clinicId: string }): Promise<Clinic> {
    const clinic = await this.loaders.clinic.load(row.clinicId);
    if (!clinic) throw new NotFoundError('clinic');
    return clinic;
  }

  /** The clinic that invited the caller: visible to it although it has no role there yet. */
  async invitingClinic(invitation: { userId: string; clinicId: string }): Promise<Clinic> {
    const clinic =
      invitation.userId === this.access.principal.userId ? await this.store.clinics.byId(invitation.clinicId) : null;
    if (!clinic) throw new NotFoundError('clinic');
    return clinic;
  }

  /** Users with a role in a clinic the caller manages, by e-mail. */
  async clinicMembers(clinicId: string): Promise<User[]> {
    const grant = await this.access.requireClinic(clinicId, Permission.MANAGE);
    return this.store.accounts.membersOf(grant.clinicId);
  }

  /** A user's memberships in clinics the caller can see. */
  membershipsOf(user: User): Promise<Membership[]> {
    return this.loaders.membershipsByUser.load(user.id);
  }

  // ---- patient-level reads (audited) ----------------------------------------------------------

  /** Cycles of the caller's clinics (or of one), newest first; one READ_CYCLES event per clinic shown. */
  async cycles(
    filter: { clinicId?: string; status?: CycleStatus; patientMrn?: string },
    first: number,
    after?: string | null,
  ): Promise<Page<Cycle>> {
    const { clinicId, status, patientMrn } = filter;
    if (clinicId) await this.access.requireClinic(clinicId, Permission.READ_CLINICAL);
    const afterId = decodeCursor('cycle', after, UUID_KEY);
    const page = await this.store.patientCycles.cyclePage(
      this.access.scopeFor(Permission.READ_CLINICAL),
      { clinicIds: clinicId ? [clinicId] : undefined, status, patientMrn },
      first,
      afterId,
    );
    // auditors read their clinic's events: one per clinic whose cycles this page shows
    const clinics = [...new Set(page.nodes.map((c) => c.clinicId))];
    await this.audit(
      (clinics.length ? clinics : [clinicId ?? null]).map((id) => ({
        action: AuditAction.READ_CYCLES,
        entity: 'cycle',
        clinicId: id,
        detail: {
          cycleIds: page.nodes.filter((c) => c.clinicId === id).map((c) => c.id),
          filter: { status: status ?? null, patientMrn: patientMrn ?? null },
        },
      })),
    );
    return page;
  }

  async cycle(id: string): Promise<Cycle> {
    // with its patient and its clinic's models and settings in one statement (a cycle view shows
    // them all): same clinic, and the permission is checked before the loaders get them
    const { cycle, patient, setup } = await this.byId('cycle', id, Permission.READ_CLINICAL, (s, ids) =>
      this.store.patientCycles.cycleViewsIn(s, ids),
    );
    if (patient) this.loaders.patient.prime(patient.id, patient);
    this.loaders.scoringSetup.prime(cycle.clinicId, setup);
    await this.audit({ action: AuditAction.READ_CYCLE, entity: 'cycle', entityId: cycle.id, clinicId: cycle.clinicId });
    return cycle;
  }

  async patient(id: string): Promise<Patient> {
    const patient = await this.byId('patient', id, Permission.READ_CLINICAL, (s, ids) =>
      this.store.patientCycles.patientsIn(s, ids),
    );
    await this.audit({
      action: AuditAction.READ_PATIENT,
      entity: 'patient',
      entityId: patient.id,
      clinicId: patient.clinicId,
    });
    return patient;
  }

  async embryo(id: string): Promise<Embryo> {
    const embryo = await this.byId('embryo', id, Permission.READ_CLINICAL, (s, ids) =>
      this.store.embryos.embryosIn(s, ids),
    );
    await this.audit({
      action: AuditAction.READ_EMBRYO,
      entity: 'embryo',
      entityId: embryo.id,
      clinicId: embryo.clinicId,
    });
    return embryo;
  }

  /**
   * A frame's stored image (READ_FRAMES in the frame's clinic) as `render` prepares it for the
   * caller; `size` is the thumbnail asked for. The read is audited once the image is ready to
   * leave: an image that cannot be shown is never read, so it is not audited either.
   */
  async frameImage(
    id: string,
    size: number | undefined,
    render: (image: FrameImage) => Promise<Buffer>,
  ): Promise<Buffer> {
    const found = BIGINT_KEY.test(id) ? await this.store.embryos.frameIn(this.access.visibleScope(), id) : null;
    if (!found) throw new NotFoundError('frame');
    this.access.assertAllowed(found.clinicId, Permission.READ_FRAMES);
    const image = await this.store.embryos.image(found.frame.sha256);
    if (!image) throw new Error(`frame ${found.frame.id}: image ${found.frame.sha256} is missing`); // FK makes this a bug, not a 404
    const rendered = await render(image);
    await this.audit({
      action: AuditAction.READ_FRAME_IMAGE,
      entity: 'frame',
      entityId: found.frame.id,
      clinicId: found.clinicId,
      detail: { size: size ?? null },
    });
    return rendered;
  }

  /** Import runs of a clinic with their item names and reasons, which can carry patient identifiers (sheet rows, folder names). */
  async importRuns(clinicId: string, first: number, after?: string | null): Promise<Page<ImportRun>> {
    await this.access.requireClinic(clinicId, Permission.READ_CLINICAL);
    const page = await this.store.importRuns.page(
      this.access.scopeFor(Permission.READ_CLINICAL),
      clinicId,
      first,
      decodeCursor('import-run', after, UUID_KEY),
    );
    await this.audit({
      action: AuditAction.READ_IMPORT_RUNS,
      entity: 'import_run',
      clinicId,
      detail: { importRunIds: page.nodes.map((r) => r.id) },
    });
    return page;
  }

  /**
   * The audit log of one clinic (ADMIN, AUDITOR) or, without a clinic, the events of no clinic
   * (sign-ins; network admins only), oldest first within [from, to). Reading it is audited too.
   */
  async auditEvents(
    clinicId: string | null,
    range: { from?: Date; to?: Date },
    first: number,
    after?: string | null,
  ): Promise<Page<AuditEvent>> {
    if (clinicId) await this.access.requireClinic(clinicId, Permission.READ_AUDIT_LOG);
    else this.access.requireNetworkAdmin();
    const afterId = decodeCursor('audit', after, BIGINT_KEY);
    const page = await this.store.audit.page(
      this.access.scopeFor(Permission.READ_AUDIT_LOG),
      { clinicId, ...range },
      first,
      afterId,
    );
    await this.audit({
      action: AuditAction.READ_AUDIT_LOG,
      entity: 'audit_event',
      clinicId,
      detail: { from: range.from ?? null, to: range.to ?? null, count: page.nodes.length },
    });
    return page;
  }

  // ---- nested reads (parents were read and audited above) -------------------------------------

  async cycleOf(embryo: Embryo): Promise<Cycle> {
    const cycle = await this.loaders.cycle.load(embryo.cycleId);
    if (!cycle) throw new NotFoundError('cycle');
    return cycle;
  }

  /** Null for the clinic's "unassigned" cycle. */
  patientOf(cycle: Cycle): Promise<Patient | null> {
    return cycle.patientId ? this.loaders.patient.load(cycle.patientId) : Promise.resolve(null);
  }

  /** The cycle's embryos by label; the clinic's models and settings (for trajectories and ranking) load alongside, not after. */
  async embryosOf(cycle: Cycle): Promise<Embryo[]> {
    const [embryos] = await Promise.all([
      this.loaders.embryosByCycle.load(cycle.id),
      this.loaders.scoringSetup.load(cycle.clinicId),
    ]);
    return embryos;
  }

  /**
   * The cycle's embryos by label for a ranking by `view`'s model: their trajectories of that model
   * are read in the same statement, so `scoresOf` finds them loaded.
   */
  embryosScoredBy(cycle: Cycle, view: ClinicModel): Promise<Embryo[]> {
    return this.loaders.embryosWithTrajectories.load(`${cycle.id}/${view.modelVersionId}`);
  }

  phasesOf(embryo: Embryo): Promise<EmbryoPhase[]> {
    return this.loaders.phasesByEmbryo.load(embryo.id);
  }

  /** By time, then focal plane. */
  framesOf(
    embryo: Embryo,
    focalPlaneUm: number | undefined,
    first: number,
    after?: string | null,
  ): Promise<Page<Frame>> {
    this.access.assertAllowed(embryo.clinicId, Permission.READ_FRAMES);
    return this.store.embryos.framePage(embryo.id, focalPlaneUm, first, decodeCursor('frame', after, BIGINT_KEY));
  }

  async scoringRuns(clinicId: string, first: number, after?: string | null): Promise<Page<ScoringRun>> {
    await this.access.requireClinic(clinicId, Permission.READ_CLINICAL);
    return this.store.scoringRuns.page(
      this.access.scopeFor(Permission.READ_CLINICAL),
      clinicId,
      first,
      decodeCursor('scoring-run', after, UUID_KEY),
    );
  }

  importItemsOf(run: ImportRun): Promise<ImportRunItem[]> {
    return this.loaders.importItemsByRun.load(run.id);
  }

  // ---- import sources and device credentials --------------------------------------------------

  /** A clinic's import sources (configuration and health; no patient data, so not audited as a read). */
  async importSources(clinicId: string): Promise<ImportSource[]> {
    await this.access.requireClinic(clinicId, Permission.READ_CLINICAL);
    return this.store.importSources.ofClinic(this.access.scopeFor(Permission.READ_CLINICAL), clinicId);
  }

  /** A source's newest import runs, whose items can carry patient identifiers: audited like importRuns. */
  async runsOfImportSource(source: ImportSource, first: number): Promise<ImportRun[]> {
    this.access.assertAllowed(source.clinicId, Permission.READ_CLINICAL);
    const runs = await this.store.importSources.lastRuns(
      this.access.scopeFor(Permission.READ_CLINICAL),
      [source.id],
      first,
    );
    await this.audit({
      action: AuditAction.READ_IMPORT_RUNS,
      entity: 'import_run',
      clinicId: source.clinicId,
      detail: { importSourceId: source.id, importRunIds: runs.map((r) => r.id) },
    });
    return runs;
  }

  async importSourceToChange(
    id: string,
    permission: Permission,
  ): Promise<{ source: ImportSource; grant: ClinicGrant }> {
    const source = await this.byId('import source', id, permission, (s, ids) =>
      this.store.importSources.sourcesIn(s, ids),
    );
    return { source, grant: this.access.grantFor(source.clinicId, permission) };
  }

  /** A clinic's device credentials (ADMIN). */
  async deviceCredentials(clinicId: string): Promise<DeviceCredential[]> {
    await this.access.requireClinic(clinicId, Permission.MANAGE);
    return this.store.deviceCredentials.ofClinic(this.access.scopeFor(Permission.MANAGE), clinicId);
  }

  async deviceCredentialToChange(id: string): Promise<{ credential: DeviceCredential; grant: ClinicGrant }> {
    const credential = await this.byId('device credential', id, Permission.MANAGE, (s, ids) =>
      this.store.deviceCredentials.credentialsIn(s, ids),
    );
    return { credential, grant: this.access.grantFor(credential.clinicId, Permission.MANAGE) };
  }

  // ---- models ---------------------------------------------------------------------------------

  /**
   * The model whose probabilities an embryo's fields show: `modelId` if that model is enabled for
   * the embryo's clinic and visible to the caller (shadow models: clinic admins only), else the
   * clinic's active model. An explicit id that is not visible is NOT_FOUND; no active model is null.
   */
  async modelForEmbryo(embryo: Embryo, modelId?: string | null): Promise<ClinicModel | null> {
    const models = visibleClinicModels(this.access, (await this.loaders.scoringSetup.load(embryo.clinicId)).models);
    if (modelId === undefined || modelId === null) return models.find((v) => v.active) ?? null;
    const chosen = models.find((v) => v.modelVersionId === modelId);
    if (!chosen) throw new NotFoundError('model');
    return chosen;
  }

  /**
   * The probabilities an embryo's score fields may show: the model chosen by `modelForEmbryo` and
   * its predictions by segment; `withheld` (with the reason) while the clinic's "assessment first"
   * setting hides them from the caller; null when there is no model to show. Every path that serves
   * a score (trajectory, latest score, ranking) goes through here, so none can skip the rule.
   */
  async scoresOf(embryo: Embryo, modelId?: string | null): Promise<EmbryoScores | null> {
    const view = await this.modelForEmbryo(embryo, modelId);
    if (!view) return null;
    const withheld = await this.scoreWithheld(embryo);
    if (withheld) return { withheld };
    return { view, predictions: await this.loaders.predictions.load(`${embryo.id}/${view.modelVersionId}`) };
  }

  /**
   * Why the caller may not see the embryo's scores, or null. While the clinic's kill switch is on,
   * nobody sees them (admins included). In an "assessment first" clinic,
   * embryologists and clinicians see a score only once an embryologist recorded an assessment of
   * the embryo, so the model cannot anchor their own judgement; clinic admins (quality managers)
   * see them always.
   */
  async scoreWithheld(embryo: Embryo): Promise<string | null> {
    const settings = (await this.loaders.scoringSetup.load(embryo.clinicId)).governance;
    if (settings?.scoringSuspended) return `${SUSPENDED_NOTICE}: ${settings.suspendedReason ?? ''}`.trim();
    if (this.access.allows(embryo.clinicId, Permission.SCORES_BEFORE_ASSESSMENT)) return null;
    if (!settings?.assessmentFirst) return null;
    return (await this.loaders.latestAssessment.load(embryo.id)) ? null : ASSESSMENT_FIRST_NOTICE;
  }

  /** The clinic's kill switch as its members see it (null: scoring runs normally). */
  async suspensionOf(
    clinicId: string,
  ): Promise<{ reason: string | null; since: Date | null; by: string | null } | null> {
    const settings = (await this.loaders.scoringSetup.load(clinicId)).governance;
    return settings?.scoringSuspended
      ? { reason: settings.suspendedReason, since: settings.suspendedAt, by: settings.suspendedBy }
      : null;
  }

  /** The newest assessment of an embryo already read (null: never assessed). */
  latestAssessmentOf(embryo: Embryo): Promise<EmbryoAssessment | null> {
    return this.loaders.latestAssessment.load(embryo.id);
  }

  /** Whether the clinic of a visible row shows scores only after an assessment. */
  async assessmentFirst(clinicId: string): Promise<boolean> {
    return (await this.loaders.scoringSetup.load(clinicId)).governance?.assessmentFirst ?? false;
  }

  /** The monitoring series of a model in one clinic, newest first (ADMIN, AUDITOR: READ_AUDIT_LOG). */
  async monitoringSeries(clinicId: string, modelId: string, limit: number): Promise<ModelMonitoringPoint[]> {
    await this.access.requireClinic(clinicId, Permission.READ_AUDIT_LOG);
    if (!isUuid(modelId)) throw new NotFoundError('model');
    return this.store.monitoring.points(clinicId, modelId, limit);
  }

  /** Assessments of one clinic (READ_CLINICAL), newest first; audited as a read of patient-level data. */
  async assessments(
    filter: { clinicId: string; embryoId?: string; assessedBy?: string },
    first: number,
    after?: string | null,
  ): Promise<Page<EmbryoAssessment>> {
    await this.access.requireClinic(filter.clinicId, Permission.READ_CLINICAL);
    const page = await this.store.governance.page(
      this.access.scopeFor(Permission.READ_CLINICAL),
      filter,
      first,
      decodeCursor('assessment', after, UUID_KEY),
    );
    await this.audit({
      action: AuditAction.READ_ASSESSMENTS,
      entity: 'embryo_assessment',
      clinicId: filter.clinicId,
      detail: { assessmentIds: page.nodes.map((a) => a.id), filter: { ...filter } },
    });
    return page;
  }

  /** Registered model versions the caller may see, newest first. */
  async models(): Promise<ModelVersion[]> {
    const [models, rows] = await Promise.all([
      this.store.models.list(),
      this.store.models.clinicModels(clinicFilter(this.access)),
    ]);
    return models.filter((model) =>
      modelVisible(
        this.access,
        rows.filter((r) => r.modelVersionId === model.id),
      ),
    );
  }

  /** One model version; NOT_FOUND when missing or not visible to the caller. */
  async model(id: string): Promise<ModelVersion> {
    const model = await this.modelToChange(id);
    if (!modelVisible(this.access, await this.modelClinicRows(id))) throw new NotFoundError('model');
    return model;
  }

  /** Clinics (visible to the caller) that use this version; shadow rows for their admins only. */
  async clinicsOfModel(modelId: string): Promise<ClinicModel[]> {
    return visibleClinicModels(this.access, await this.modelClinicRows(modelId));
  }

  private modelClinicRows(modelId: string): Promise<ClinicModel[]> {
    return this.store.models.clinicModels({ ...clinicFilter(this.access), modelVersionId: modelId });
  }

  // ---- lookups for a change (not audited as reads) --------------------------------------------

  /** A model version to act on (versions belong to no clinic; the change's clinic grant says where). */
  async modelToChange(id: string): Promise<ModelVersion> {
    const model = isUuid(id) ? await this.store.models.byId(id) : null;
    if (!model) throw new NotFoundError('model');
    return model;
  }

  async cycleToChange(id: string, permission: Permission): Promise<{ cycle: Cycle; grant: ClinicGrant }> {
    const cycle = await this.byId('cycle', id, permission, (s, ids) => this.store.patientCycles.cyclesIn(s, ids));
    return { cycle, grant: this.access.grantFor(cycle.clinicId, permission) };
  }

  async embryoToChange(id: string, permission: Permission): Promise<{ embryo: Embryo; grant: ClinicGrant }> {
    const embryo = await this.byId('embryo', id, permission, (s, ids) => this.store.embryos.embryosIn(s, ids));
    return { embryo, grant: this.access.grantFor(embryo.clinicId, permission) };
  }

  /** A patient that a change refers to (e.g. a cycle's), under the change's permission. */
  patientToChange(id: string, permission: Permission): Promise<Patient> {
    return this.byId('patient', id, permission, (s, ids) => this.store.patientCycles.patientsIn(s, ids));
  }

  /** Embryos by id for a change: all must exist in the caller's visible clinics, and all in one clinic. */
  async embryosToChange(ids: string[], permission: Permission): Promise<{ embryos: Embryo[]; clinicIds: string[] }> {
    if (ids.some((id) => !isUuid(id))) throw new NotFoundError('embryo');
    const unique = [...new Set(ids)];
    const rows = await this.store.embryos.embryosIn(this.access.visibleScope(), unique);
    if (rows.length !== unique.length) throw new NotFoundError('embryo');
    for (const row of rows) this.access.assertAllowed(row.clinicId, permission);
    return { embryos: rows, clinicIds: [...new Set(rows.map((e) => e.clinicId))] };
  }

  /** The grant to act in a clinic given by id. */
  clinicToChange(clinicId: string, permission: Permission): Promise<ClinicGrant> {
    return this.access.requireClinic(clinicId, permission);
  }
}
