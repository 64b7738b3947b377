import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { Clinic, Cycle, CycleStatus, Embryo, Patient } from '../../entities';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { encodeCursor, pageSize } from '../pagination';
import { rankingOf } from '../trajectories';
import { ClinicType } from '../types/account.types';
import { CycleConnection, CycleType, EmbryoRankingType, EmbryoType, PatientType } from '../types/clinical.types';
import { toConnection, type ConnectionValue } from '../types/connection';
import { CycleStatusEnum, EmbryoOrderEnum, type EmbryoOrder } from '../types/enums';
import { CreateCycleInput, UpdateCycleInput } from '../types/inputs';

@Resolver(() => CycleType)
export class CycleResolver {
  @Query(() => CycleConnection, { description: "Cycles of the caller's clinics (or of one), newest first." })
  async cycles(
    @Ctx() ctx: ApiContext,
    @Arg('clinicId', () => ID, { nullable: true }) clinicId?: string,
    @Arg('status', () => CycleStatusEnum, { nullable: true }) status?: CycleStatus,
    @Arg('patientMrn', () => String, { nullable: true }) patientMrn?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionValue<Cycle>> {
    const size = pageSize(first);
    const page = await ctx.data.cycles(
      { clinicId: clinicId ?? undefined, status: status ?? undefined, patientMrn: patientMrn ?? undefined },
      size,
      after,
    );
    return toConnection(page, (c) => encodeCursor('cycle', c.id));
  }

  @Query(() => CycleType)
  cycle(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Cycle> {
    return ctx.data.cycle(id);
  }

  @Mutation(() => CycleType, { description: 'Clinic ADMIN.' })
  async createCycle(@Arg('input') input: CreateCycleInput, @Ctx() ctx: ApiContext): Promise<Cycle> {
    const grant = await ctx.data.clinicToChange(input.clinicId, Permission.MANAGE);
    await this.patientOfClinic(ctx, input.patientId, grant.clinicId);
    return ctx.services.cycles.createCycle(grant, input);
  }

  @Mutation(() => CycleType, { description: 'Clinic ADMIN.' })
  async updateCycle(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateCycleInput,
    @Ctx() ctx: ApiContext,
  ): Promise<Cycle> {
    const { cycle, grant } = await ctx.data.cycleToChange(id, Permission.MANAGE);
    if (input.patientId !== undefined && input.patientId !== null)
      await this.patientOfClinic(ctx, input.patientId, cycle.clinicId);
    return ctx.services.cycles.updateCycle(grant, cycle.id, {
      externalId: input.externalId ?? undefined,
      patientId: input.patientId ?? undefined,
      inseminationAt: input.inseminationAt,
      method: input.method,
    });
  }

  @Mutation(() => CycleType, { description: 'Clinic ADMIN.' })
  async setCycleStatus(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => CycleStatusEnum) status: CycleStatus,
    @Ctx() ctx: ApiContext,
  ): Promise<Cycle> {
    const { cycle, grant } = await ctx.data.cycleToChange(id, Permission.MANAGE);
    return ctx.services.cycles.setCycleStatus(grant, cycle.id, status);
  }

  @FieldResolver(() => ClinicType)
  clinic(@Root() cycle: Cycle, @Ctx() ctx: ApiContext): Promise<Clinic> {
    return ctx.data.clinicOf(cycle);
  }

  @FieldResolver(() => PatientType, { nullable: true, description: 'Null for the clinic\'s "unassigned" cycle.' })
  patient(@Root() cycle: Cycle, @Ctx() ctx: ApiContext): Promise<Patient | null> {
    return ctx.data.patientOf(cycle);
  }

  @FieldResolver(() => [EmbryoType], { description: 'By well label. For the ranking by score, see `ranking`.' })
  embryos(
    @Root() cycle: Cycle,
    @Ctx() ctx: ApiContext,
    // one order only: a ranking by score without the model's label would be a bare number in disguise
    @Arg('orderBy', () => EmbryoOrderEnum, { defaultValue: 'LABEL' }) _orderBy: EmbryoOrder,
  ): Promise<Embryo[]> {
    return ctx.data.embryosOf(cycle);
  }

  @FieldResolver(() => EmbryoRankingType, {
    description:
      "Embryos ranked by the latest score of one model (default: the clinic's active model), labelled with that model's provenance and warning.",
  })
  ranking(
    @Root() cycle: Cycle,
    @Ctx() ctx: ApiContext,
    @Arg('modelId', () => ID, { nullable: true }) modelId?: string,
  ): Promise<EmbryoRankingType> {
    return rankingOf(ctx, cycle, modelId);
  }

  private async patientOfClinic(ctx: ApiContext, patientId: string, clinicId: string): Promise<void> {
    const patient = await ctx.data.patientToChange(patientId, Permission.MANAGE);
    if (patient.clinicId !== clinicId) throw new BadInputError('the patient belongs to another clinic');
  }
}
