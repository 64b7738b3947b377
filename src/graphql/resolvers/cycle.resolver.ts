import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { Clinic, Cycle, CycleStatus, Embryo, Patient } from '../../entities';
import { AuditAction } from '../../platform/audit/audit-actions';
import type { ApiContext } from '../context';
import { BadInputError, NotFoundError } from '../errors';
import { encodeCursor, pageSize } from '../pagination';
import { latestProbabilityOf } from '../services/trajectories';
import { ClinicType } from '../types/account.types';
import { CycleConnection, CycleType, EmbryoType, PatientType } from '../types/clinical.types';
import { toConnection, type ConnectionValue } from '../types/connection';
import { CycleStatusEnum, EmbryoOrderEnum, type EmbryoOrder } from '../types/enums';
import { CreateCycleInput, UpdateCycleInput } from '../types/inputs';

@Resolver(() => CycleType)
export class CycleResolver {
  @Query(() => CycleConnection, { description: 'Cycles of the caller\'s clinics (or of one), newest first.' })
  async cycles(
    @Ctx() ctx: ApiContext,
    @Arg('clinicId', () => ID, { nullable: true }) clinicId?: string,
    @Arg('status', () => CycleStatusEnum, { nullable: true }) status?: CycleStatus,
    @Arg('patientMrn', () => String, { nullable: true }) patientMrn?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionValue<Cycle>> {
    const size = pageSize(first);
    if (clinicId) await ctx.access.requireClinic(clinicId, Permission.READ_CLINICAL);
    const page = await ctx.data.cycles({ clinicIds: clinicId ? [clinicId] : undefined, status, patientMrn: patientMrn ?? undefined }, size, after);
    // one event per clinic whose cycles this page shows (auditors read their clinic's events)
    const clinics = [...new Set(page.nodes.map((c) => c.clinicId))];
    await ctx.auditRead.record(
      (clinics.length ? clinics : [clinicId ?? null]).map((id) => ({
        action: AuditAction.READ_CYCLES, entity: 'cycle', clinicId: id,
        detail: { cycleIds: page.nodes.filter((c) => c.clinicId === id).map((c) => c.id), filter: { status: status ?? null, patientMrn: patientMrn ?? null } },
      })),
    );
    return toConnection(page, (c) => encodeCursor('cycle', c.id));
  }

  @Query(() => CycleType)
  async cycle(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Cycle> {
    const cycle = await ctx.data.cycle(id);
    await ctx.auditRead.record({ action: AuditAction.READ_CYCLE, entity: 'cycle', entityId: cycle.id, clinicId: cycle.clinicId });
    return cycle;
  }

  @Mutation(() => CycleType, { description: 'Clinic ADMIN.' })
  async createCycle(@Arg('input') input: CreateCycleInput, @Ctx() ctx: ApiContext): Promise<Cycle> {
    const grant = await ctx.access.requireClinic(input.clinicId, Permission.MANAGE);
    await this.patientOfClinic(ctx, input.patientId, grant.clinicId);
    return ctx.services.cycles.createCycle(grant, input);
  }

  @Mutation(() => CycleType, { description: 'Clinic ADMIN.' })
  async updateCycle(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateCycleInput, @Ctx() ctx: ApiContext): Promise<Cycle> {
    const cycle = await ctx.data.cycle(id, Permission.MANAGE);
    const grant = ctx.access.grantFor(cycle.clinicId, Permission.MANAGE);
    if (input.patientId !== undefined && input.patientId !== null) await this.patientOfClinic(ctx, input.patientId, cycle.clinicId);
    return ctx.services.cycles.updateCycle(grant, cycle.id, {
      externalId: input.externalId ?? undefined, patientId: input.patientId ?? undefined, inseminationAt: input.inseminationAt, method: input.method,
    });
  }

  @Mutation(() => CycleType, { description: 'Clinic ADMIN.' })
  async setCycleStatus(@Arg('id', () => ID) id: string, @Arg('status', () => CycleStatusEnum) status: CycleStatus, @Ctx() ctx: ApiContext): Promise<Cycle> {
    const cycle = await ctx.data.cycle(id, Permission.MANAGE);
    return ctx.services.cycles.setCycleStatus(ctx.access.grantFor(cycle.clinicId, Permission.MANAGE), cycle.id, status);
  }

  @FieldResolver(() => ClinicType)
  async clinic(@Root() cycle: Cycle, @Ctx() ctx: ApiContext): Promise<Clinic> {
    const clinic = await ctx.loaders.clinic.load(cycle.clinicId);
    if (!clinic) throw new NotFoundError('clinic');
    return clinic;
  }

  @FieldResolver(() => PatientType, { nullable: true, description: 'Null for the clinic\'s "unassigned" cycle.' })
  async patient(@Root() cycle: Cycle, @Ctx() ctx: ApiContext): Promise<Patient | null> {
    return cycle.patientId ? ctx.loaders.patient.load(cycle.patientId) : null;
  }

  @FieldResolver(() => [EmbryoType])
  async embryos(
    @Root() cycle: Cycle,
    @Ctx() ctx: ApiContext,
    @Arg('orderBy', () => EmbryoOrderEnum, { defaultValue: 'LABEL' }) orderBy: EmbryoOrder,
  ): Promise<Embryo[]> {
    // the clinic's models are needed by trajectories and ranking: load them alongside, not after
    const [embryos] = await Promise.all([ctx.loaders.embryosByCycle.load(cycle.id), ctx.loaders.modelsByClinic.load(cycle.clinicId)]);
    if (orderBy === 'LABEL') return embryos;
    const latest = await Promise.all(embryos.map((e) => latestProbabilityOf(ctx, e)));
    return embryos
      .map((embryo, i) => ({ embryo, p: latest[i] ?? -1 }))
      .sort((a, b) => b.p - a.p || a.embryo.label.localeCompare(b.embryo.label))
      .map((x) => x.embryo);
  }

  private async patientOfClinic(ctx: ApiContext, patientId: string, clinicId: string): Promise<void> {
    const patient = await ctx.data.patient(patientId, Permission.MANAGE);
    if (patient.clinicId !== clinicId) throw new BadInputError('the patient belongs to another clinic');
  }
}
