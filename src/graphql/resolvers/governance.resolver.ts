import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { Clinic, Embryo, EmbryoAssessment } from '../../entities';
import type { ApiContext } from '../context';
import { encodeCursor, pageSize } from '../pagination';
import { ClinicType } from '../types/account.types';
import { ClinicModelType } from '../types/model.types';
import { toClinicModelType } from './model.resolver';
import { EmbryoType } from '../types/clinical.types';
import { toConnection, type ConnectionValue } from '../types/connection';
import {
  AcceptanceComparisonType,
  AcceptanceCriteriaInput,
  AssessmentAgreementType,
  EmbryoAssessmentConnection,
  EmbryoAssessmentType,
  RecordAssessmentInput,
  MonitoringPointType,
  ReliabilityBinType,
  ScoringSuspensionType,
} from '../types/governance.types';

/** Human oversight (issue #16): embryologists' assessments, "assessment first", agreement figures. */
@Resolver(() => EmbryoAssessmentType)
export class AssessmentResolver {
  @Mutation(() => EmbryoAssessmentType, {
    description:
      "Clinic ADMIN or EMBRYOLOGIST: your own grade and decision of an embryo. A decision against the model's ranking needs a reason.",
  })
  async recordAssessment(
    @Arg('input') input: RecordAssessmentInput,
    @Ctx() ctx: ApiContext,
  ): Promise<EmbryoAssessment> {
    const { embryo, grant } = await ctx.data.embryoToChange(input.embryoId, Permission.LAB_WORK);
    return ctx.services.assessments.record(grant, embryo.id, input);
  }

  @Mutation(() => Boolean, {
    description:
      'Clinic ADMIN: "assessment first" hides model scores from embryologists and clinicians until an embryologist assessed the embryo.',
  })
  async setAssessmentFirst(
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('enabled') enabled: boolean,
    @Ctx() ctx: ApiContext,
  ): Promise<boolean> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    return ctx.services.assessments.setAssessmentFirst(grant, enabled);
  }

  @Mutation(() => Boolean, {
    description:
      "Clinic ADMIN, the kill switch: suspends the clinic's model (no scoring, no score shown anywhere) until resumed. Audited with the reason.",
  })
  async suspendScoring(
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: ApiContext,
  ): Promise<boolean> {
    await ctx.services.suspension.suspend(await ctx.data.clinicToChange(clinicId, Permission.MANAGE), reason);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Clinic ADMIN: ends a suspension (scores shown, scoring again). Audited.' })
  async resumeScoring(
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: ApiContext,
  ): Promise<boolean> {
    await ctx.services.suspension.resume(await ctx.data.clinicToChange(clinicId, Permission.MANAGE), reason);
    return true;
  }

  @Mutation(() => AcceptanceComparisonType, {
    description:
      'Clinic ADMIN: records what a model enabled for the clinic (usually in shadow mode) must show before it may become active; answers the comparison as it stands.',
  })
  async setAcceptanceCriteria(
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('modelId', () => ID) modelId: string,
    @Arg('criteria') criteria: AcceptanceCriteriaInput,
    @Ctx() ctx: ApiContext,
  ): Promise<AcceptanceComparisonType> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    return ctx.services.acceptance.setCriteria(grant, modelId, criteria);
  }

  @Query(() => AcceptanceComparisonType, {
    description: 'Clinic ADMIN: the comparison activateModel acts on (criteria, candidate, active model).',
  })
  async activationCheck(
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('modelId', () => ID) modelId: string,
    @Ctx() ctx: ApiContext,
  ): Promise<AcceptanceComparisonType> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    return ctx.services.acceptance.compare(grant, modelId);
  }

  @Mutation(() => ClinicModelType, {
    description: 'Clinic ADMIN: makes the model used before the current one active again, with a reason (audited).',
  })
  async rollbackModel(
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: ApiContext,
  ): Promise<ClinicModelType> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    return toClinicModelType(await ctx.services.acceptance.rollback(grant, reason));
  }

  @Query(() => [MonitoringPointType], {
    description: 'Clinic ADMIN or AUDITOR: the nightly monitoring series of a model in the clinic, newest first.',
  })
  async modelMonitoring(
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('modelId', () => ID) modelId: string,
    @Ctx() ctx: ApiContext,
    @Arg('last', () => Int, { defaultValue: 30 }) last: number,
  ): Promise<MonitoringPointType[]> {
    const points = await ctx.data.monitoringSeries(clinicId, modelId, pageSize(last));
    return points.map((p) => ({ ...p, reliability: p.reliability as ReliabilityBinType[] }));
  }

  @Query(() => EmbryoAssessmentConnection, {
    description: "Assessments of one of the caller's clinics, newest first (ADMIN, EMBRYOLOGIST, CLINICIAN).",
  })
  async assessments(
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
    @Arg('embryoId', () => ID, { nullable: true }) embryoId?: string,
    @Arg('assessedBy', () => ID, { nullable: true }) assessedBy?: string,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionValue<EmbryoAssessment>> {
    const page = await ctx.data.assessments(
      { clinicId, embryoId: embryoId ?? undefined, assessedBy: assessedBy ?? undefined },
      pageSize(first),
      after,
    );
    return toConnection(page, (a) => encodeCursor('assessment', a.id));
  }

  @Query(() => AssessmentAgreementType, {
    description:
      'Clinic ADMIN or AUDITOR: how decisions followed the model, and how each fared, per clinic and embryologist.',
  })
  async assessmentAgreement(
    @Arg('clinicId', () => ID) clinicId: string,
    @Ctx() ctx: ApiContext,
  ): Promise<AssessmentAgreementType> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.READ_AUDIT_LOG);
    return ctx.services.assessments.agreement(grant);
  }
}

@Resolver(() => EmbryoType)
export class EmbryoAssessmentFieldResolver {
  @FieldResolver(() => EmbryoAssessmentType, { nullable: true, description: "The embryo's newest assessment." })
  assessment(@Root() embryo: Embryo, @Ctx() ctx: ApiContext): Promise<EmbryoAssessment | null> {
    return ctx.data.latestAssessmentOf(embryo);
  }
}

@Resolver(() => ClinicType)
export class ClinicGovernanceFieldResolver {
  @FieldResolver(() => Boolean, {
    description: 'Scores stay hidden from embryologists and clinicians until an embryologist assessed the embryo.',
  })
  assessmentFirst(@Root() clinic: Clinic, @Ctx() ctx: ApiContext): Promise<boolean> {
    return ctx.data.assessmentFirst(clinic.id);
  }

  @FieldResolver(() => ScoringSuspensionType, {
    nullable: true,
    description: "Set while the clinic's kill switch is on; null when scoring runs normally.",
  })
  scoringSuspension(@Root() clinic: Clinic, @Ctx() ctx: ApiContext): Promise<ScoringSuspensionType | null> {
    return ctx.data.suspensionOf(clinic.id);
  }
}
