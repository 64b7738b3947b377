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

@ObjectType('TrajectoryModel', {
  description: 'The model version whose probabilities a trajectory or score shows.',
  simpleResolvers: true,
})
export class TrajectoryModelType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() version: string;
  @Field({ description: 'SHA-256 of the ONNX file the probabilities were computed with.' }) sha256: string;
  @Field() variant: string;
  @Field({ description: 'False: built without trained weights; its numbers mean nothing clinically.' })
  trained: boolean;
  @Field({ description: 'Trained on synthetic images: not for clinical use, like an untrained model.' })
  synthetic: boolean;
  @Field({ description: 'Scored silently; visible to clinic administrators only.' }) shadow: boolean;
  @Field({ description: "The clinic's default model." }) active: boolean;
}

@ObjectType('PredictionInput', { description: 'One frame a prediction was computed from.', simpleResolvers: true })
export class PredictionInputType {
  @Field(() => ID, { description: 'The Frame id (its image: /frames/<id>.png).' }) frameId: string;
  @Field(() => Float) hoursPostInsemination: number;
  @Field(() => Int) focalPlaneUm: number;
  @Field({ description: 'The frame stands in for a missing one (empty segment or missing plane).' })
  imputed: boolean;
  @Field(() => String, { nullable: true, description: '"empty-segment" or "missing-plane" when imputed.' })
  imputedBecause: string | null;
}

@ObjectType('PredictionRuntime', { description: 'The software a prediction was computed with.', simpleResolvers: true })
export class PredictionRuntimeType {
  @Field() onnxRuntime: string;
  @Field() executionProvider: string;
  @Field() preprocessing: string;
}

// Plain data without middleware: simpleResolvers skips type-graphql's per-field pipeline (28 points × inputs per embryo).
@ObjectType('TrajectoryPoint', { simpleResolvers: true })
export class TrajectoryPointType {
  @Field(() => Int, { description: 'Segment k covers [6k, 6k+6) hpi; k = 0…27.' }) segment: number;
  @Field(() => Float, { description: 'The prediction is "at" 6(k+1) hpi.' }) hoursPostInsemination: number;
  @Field(() => Float, { description: 'hoursPostInsemination / 24.' }) day: number;
  @Field(() => Float, { description: "Read it with its trajectory's label and warning." }) probability: number;
  @Field({ description: 'The segment had no frame of its own (or lacked a plane) and reused a neighbour.' })
  imputed: boolean;
  @Field(() => [PredictionInputType], { description: 'The frames the model saw for this segment, one per plane.' })
  inputs: PredictionInputType[];
  @Field(() => PredictionRuntimeType, {
    nullable: true,
    description: 'Null for predictions stored before it was recorded.',
  })
  runtime: PredictionRuntimeType | null;
  @Field(() => GraphQLISODateTime) computedAt: Date;
}

@ObjectType('Trajectory', { description: 'Probability of blastocyst formation over time, from one model.' })
export class TrajectoryType {
  @Field(() => TrajectoryModelType) model: TrajectoryModelType;
  @Field({ description: "The weights' state: random (untrained), trained or imported." }) provenance: string;
  @Field({ description: 'Model, provenance and warning in one line, to show beside the numbers.' }) label: string;
  @Field(() => String, {
    nullable: true,
    description: 'Set when the numbers must not be used clinically (untrained model).',
  })
  warning: string | null;
  @Field(() => [TrajectoryPointType]) points: TrajectoryPointType[];
  @Field(() => [Int], { description: 'Compact form for charts: the segments of `points`, in order.' })
  segments: number[];
  @Field(() => [Float], {
    description: 'Compact form for charts: the probabilities of `points`, in order (read them with the label).',
  })
  probabilities: number[];
  @Field(() => [Boolean], { description: 'Compact form for charts: which points are imputed, in order.' })
  imputed: boolean[];
}

@ObjectType('Score', {
  description:
    'A probability of blastocyst formation with its label: it is never served without model, provenance and warning.',
})
export class ScoreType {
  @Field(() => Float, { description: 'Probability at the last scored segment.' }) value: number;
  @Field(() => Int) segment: number;
  @Field(() => Float) hoursPostInsemination: number;
  @Field(() => TrajectoryModelType) model: TrajectoryModelType;
  @Field({ description: "The weights' state: random (untrained), trained or imported." }) provenance: string;
  @Field(() => String, { nullable: true, description: 'Set when the number must not be used clinically.' })
  warning: string | null;
  @Field({ description: 'Model, provenance and warning in one line, to show beside the number.' }) label: string;
  @Field(() => GraphQLISODateTime) computedAt: Date;
}

@ObjectType('RankedEmbryo')
export class RankedEmbryoType {
  @Field(() => Int, { nullable: true, description: '1 = highest score; null when unscored or withheld.' })
  rank: number | null;
  @Field(() => EmbryoType) embryo: EmbryoType;
  @Field(() => ScoreType, { nullable: true }) score: ScoreType | null;
  @Field(() => String, {
    nullable: true,
    description: 'Why the score is not shown (assessment first: record your own assessment first).',
  })
  withheld: string | null;
}

@ObjectType('EmbryoRanking', {
  description:
    "A cycle's embryos ranked by the latest score of one model (highest first; unscored and withheld last, by label), with the model's label.",
})
export class EmbryoRankingType {
  @Field(() => TrajectoryModelType, { nullable: true, description: 'Null when the clinic has no model to rank by.' })
  model: TrajectoryModelType | null;
  @Field(() => String, { nullable: true }) provenance: string | null;
  @Field(() => String, { nullable: true }) label: string | null;
  @Field(() => String, { nullable: true }) warning: string | null;
  @Field(() => [RankedEmbryoType]) entries: RankedEmbryoType[];
}

export const CycleConnection = Connection(CycleType, 'Cycle');
export const FrameConnection = Connection(FrameType, 'Frame');
