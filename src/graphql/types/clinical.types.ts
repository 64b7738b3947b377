import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import type { CycleMethod, CycleStatus, Outcome } from '../../entities';
import { Connection } from './connection';
import { CycleMethodEnum, CycleStatusEnum, OutcomeEnum } from './enums';

@ObjectType('Patient', { description: 'Minimum PHI: medical record number and an optional name.' })
export class PatientType {
  @Field(() => ID) id: string;
  @Field() mrn: string;
  @Field(() => String, { nullable: true }) displayName: string | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

@ObjectType('Cycle')
export class CycleType {
  @Field(() => ID) id: string;
  @Field() externalId: string;
  @Field(() => GraphQLISODateTime, { nullable: true }) inseminationAt: Date | null;
  @Field(() => CycleMethodEnum, { nullable: true }) method: CycleMethod | null;
  @Field(() => CycleStatusEnum) status: CycleStatus;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime) updatedAt: Date;
}

@ObjectType('Embryo')
export class EmbryoType {
  @Field(() => ID) id: string;
  @Field({ description: 'Well label, e.g. "A3".' }) label: string;
  @Field({ description: 'How the source names it: folder name, <slide>-WELL<n>, SeriesInstanceUID.' })
  externalId: string;
  @Field(() => OutcomeEnum) outcome: Outcome;
  @Field(() => GraphQLISODateTime, { nullable: true }) outcomeRecordedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) cultureEndedAt: Date | null;
  @Field(() => Float, { nullable: true }) cultureEndedHpi: number | null;
}

@ObjectType('EmbryoPhase', { description: 'A morphokinetic annotation (tPB2 … tHB).' })
export class EmbryoPhaseType {
  @Field() phase: string;
  @Field(() => Float, { nullable: true }) startHpi: number | null;
  @Field(() => Float, { nullable: true }) endHpi: number | null;
}

@ObjectType('Frame')
export class FrameType {
  @Field(() => ID) id: string;
  @Field(() => Float) hoursPostInsemination: number;
  @Field(() => GraphQLISODateTime, { nullable: true }) acquiredAt: Date | null;
  @Field(() => Int) focalPlaneUm: number;
  @Field(() => Int) width: number;
  @Field(() => Int) height: number;
  // imageUrl: field resolver
}

@ObjectType('TrajectoryModel', { description: 'The model version whose probabilities a trajectory shows.' })
export class TrajectoryModelType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() version: string;
  @Field() variant: string;
  @Field({ description: 'False: built without trained weights; its numbers mean nothing clinically.' })
  trained: boolean;
  @Field({ description: 'Trained on synthetic images: not for clinical use, like an untrained model.' })
  synthetic: boolean;
  @Field({ description: 'Scored silently; visible to clinic administrators only.' }) shadow: boolean;
  @Field({ description: "The clinic's default model." }) active: boolean;
}

@ObjectType('TrajectoryPoint')
export class TrajectoryPointType {
  @Field(() => Int, { description: 'Segment k covers [6k, 6k+6) hpi; k = 0…27.' }) segment: number;
  @Field(() => Float, { description: 'The prediction is "at" 6(k+1) hpi.' }) hoursPostInsemination: number;
  @Field(() => Float, { description: 'hoursPostInsemination / 24.' }) day: number;
  @Field(() => Float) probability: number;
  @Field({ description: 'The segment had no frame of its own (or lacked a plane) and reused a neighbour.' })
  imputed: boolean;
  @Field(() => GraphQLISODateTime) computedAt: Date;
}

@ObjectType('Trajectory', { description: 'Probability of blastocyst formation over time, from one model.' })
export class TrajectoryType {
  @Field(() => TrajectoryModelType) model: TrajectoryModelType;
  @Field(() => [TrajectoryPointType]) points: TrajectoryPointType[];
  @Field(() => String, {
    nullable: true,
    description: 'Set when the numbers must not be used clinically (untrained model).',
  })
  warning: string | null;
}

export const CycleConnection = Connection(CycleType, 'Cycle');
export const FrameConnection = Connection(FrameType, 'Frame');
