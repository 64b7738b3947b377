import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { ImportRun, ImportRunItem, ScoringRun } from '../../entities';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { encodeCursor, pageSize } from '../pagination';
import { toConnection, type ConnectionValue } from '../types/connection';
import { ScoringRequestInput } from '../types/inputs';
import {
  ImportRunConnection,
  ImportRunItemType,
  ImportRunType,
  ScoringRunConnection,
  ScoringRunType,
} from '../types/run.types';

/** Scoring runs (and asking for one) and import runs with their per-item reports. */
@Resolver(() => ImportRunType)
export class RunResolver {
  @Query(() => ScoringRunConnection, { description: 'Newest first.' })
  async scoringRuns(
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionValue<ScoringRun>> {
    const page = await ctx.data.scoringRuns(clinicId, pageSize(first), after);
    return toConnection(page, (r) => encodeCursor('scoring-run', r.id));
  }

  @Query(() => ImportRunConnection, { description: 'Newest first, each with its per-item report.' })
  async importRuns(
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionValue<ImportRun>> {
    const page = await ctx.data.importRuns(clinicId, pageSize(first), after);
    return toConnection(page, (r) => encodeCursor('import-run', r.id));
  }

  @Mutation(() => ScoringRunType, {
    description: 'Clinic ADMIN or EMBRYOLOGIST: queues scoring of a cycle or of some embryos (one clinic per request).',
  })
  async requestScoring(@Arg('input') input: ScoringRequestInput, @Ctx() ctx: ApiContext): Promise<ScoringRun> {
    const hasCycle = input.cycleId !== undefined && input.cycleId !== null;
    const hasEmbryos = input.embryoIds !== undefined && input.embryoIds !== null;
    if (hasCycle === hasEmbryos) throw new BadInputError('give either cycleId or embryoIds');
    let grant;
    if (hasCycle) {
      grant = (await ctx.data.cycleToChange(input.cycleId!, Permission.LAB_WORK)).grant;
    } else {
      const { clinicIds } = await ctx.data.embryosToChange(input.embryoIds!, Permission.LAB_WORK);
      if (clinicIds.length !== 1) throw new BadInputError('all embryos of one request must belong to one clinic');
      grant = await ctx.data.clinicToChange(clinicIds[0], Permission.LAB_WORK);
    }
    const scope = {
      cycleId: hasCycle ? input.cycleId! : undefined,
      embryoIds: hasEmbryos ? [...new Set(input.embryoIds)] : undefined,
    };
    return ctx.services.scoring.request(grant, scope, 'request');
  }

  @FieldResolver(() => [ImportRunItemType])
  items(@Root() run: ImportRun, @Ctx() ctx: ApiContext): Promise<ImportRunItem[]> {
    return ctx.data.importItemsOf(run);
  }
}
