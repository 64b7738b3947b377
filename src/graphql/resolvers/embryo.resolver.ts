import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { Cycle, Embryo, EmbryoPhase, Frame, Outcome } from '../../entities';
import type { ApiContext } from '../context';
import { encodeCursor, pageSize } from '../pagination';
import { latestScoreOf, scoreWithheldOf, trajectoryOf } from '../trajectories';
import {
  CycleType,
  EmbryoPhaseType,
  EmbryoType,
  FrameConnection,
  FrameType,
  ScoreType,
  TrajectoryType,
} from '../types/clinical.types';
import { toConnection, type ConnectionValue } from '../types/connection';
import { OutcomeEnum } from '../types/enums';

@Resolver(() => EmbryoType)
export class EmbryoResolver {
  @Query(() => EmbryoType)
  embryo(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Embryo> {
    return ctx.data.embryo(id);
  }

  @Mutation(() => EmbryoType, { description: 'Clinic ADMIN or EMBRYOLOGIST.' })
  async recordOutcome(
    @Arg('embryoId', () => ID) embryoId: string,
    @Arg('outcome', () => OutcomeEnum) outcome: Outcome,
    @Ctx() ctx: ApiContext,
  ): Promise<Embryo> {
    const { embryo, grant } = await ctx.data.embryoToChange(embryoId, Permission.LAB_WORK);
    return ctx.services.outcomes.recordOutcome(grant, embryo.id, outcome);
  }

  @FieldResolver(() => CycleType)
  cycle(@Root() embryo: Embryo, @Ctx() ctx: ApiContext): Promise<Cycle> {
    return ctx.data.cycleOf(embryo);
  }

  @FieldResolver(() => FrameConnection, { description: 'By time, then focal plane.' })
  async frames(
    @Root() embryo: Embryo,
    @Ctx() ctx: ApiContext,
    @Arg('focalPlaneUm', () => Int, { nullable: true }) focalPlaneUm?: number,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionValue<Frame>> {
    const page = await ctx.data.framesOf(embryo, focalPlaneUm ?? undefined, pageSize(first), after);
    return toConnection(page, (f) => encodeCursor('frame', f.id));
  }

  @FieldResolver(() => [EmbryoPhaseType])
  phases(@Root() embryo: Embryo, @Ctx() ctx: ApiContext): Promise<EmbryoPhase[]> {
    return ctx.data.phasesOf(embryo);
  }

  @FieldResolver(() => TrajectoryType, {
    nullable: true,
    description: "Probabilities of one model; default: the clinic's active model (null when it has none).",
  })
  trajectory(
    @Root() embryo: Embryo,
    @Ctx() ctx: ApiContext,
    @Arg('modelId', () => ID, { nullable: true }) modelId?: string,
  ): Promise<TrajectoryType | null> {
    return trajectoryOf(ctx, embryo, modelId);
  }

  @FieldResolver(() => ScoreType, {
    nullable: true,
    description:
      "The score at the last scored segment, with its model, provenance and warning; default: the clinic's active model. Null when unscored, without a model, or withheld (see scoreWithheld).",
  })
  latestScore(
    @Root() embryo: Embryo,
    @Ctx() ctx: ApiContext,
    @Arg('modelId', () => ID, { nullable: true }) modelId?: string,
  ): Promise<ScoreType | null> {
    return latestScoreOf(ctx, embryo, modelId);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Why this embryo\'s scores are not shown to you (the clinic works "assessment first" and nobody assessed it yet); null when they are.',
  })
  scoreWithheld(@Root() embryo: Embryo, @Ctx() ctx: ApiContext): Promise<string | null> {
    return scoreWithheldOf(ctx, embryo);
  }
}

@Resolver(() => FrameType)
export class FrameResolver {
  @FieldResolver(() => String, {
    description: 'GET with the same bearer token; `?size=N` for a thumbnail (N = 16…1024 px).',
  })
  imageUrl(@Root() frame: Frame): string {
    return `/frames/${frame.id}.png`;
  }
}
