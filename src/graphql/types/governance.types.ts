import { Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ASSESSMENT_DECISIONS, type AssessmentDecision } from '../../entities';
import { Connection } from './connection';

/** GraphQL shapes of human oversight (issue #16): assessments, the clinic's setting, agreement. */

export const AssessmentDecisionEnum = Object.fromEntries(ASSESSMENT_DECISIONS.map((d) => [d, d])) as {
  [K in AssessmentDecision]: K;
};
registerEnumType(AssessmentDecisionEnum, {
  name: 'AssessmentDecision',
  description: "The embryologist's decision: TRANSFER, FREEZE, DISCARD or KEEP_IN_CULTURE.",
});

@ObjectType('EmbryoAssessment', {
  description:
    "An embryologist's own assessment of an embryo, with where the clinic's active model ranked it at that moment.",
})
export class EmbryoAssessmentType {
  @Field(() => ID) id: string;
  @Field(() => ID) embryoId: string;
  @Field(() => ID, { nullable: true, description: 'The user who recorded it (null once deleted).' })
  assessedBy: string | null;
  @Field({ description: 'The embryologist\'s grade, e.g. "4AA".' }) grade: string;
  @Field(() => AssessmentDecisionEnum) decision: AssessmentDecision;
  @Field(() => ID, { nullable: true, description: 'The active model when it was recorded (null: none had scored it).' })
  modelVersionId: string | null;
  @Field(() => Int, { nullable: true, description: "The model's rank of the embryo in its cycle (1 = first choice)." })
  modelRank: number | null;
  @Field(() => Int, { nullable: true, description: 'Scored embryos of the cycle the rank is out of.' })
  modelRankOf: number | null;
  @Field({ description: "The decision went against the model's ranking (a reason was required)." })
  againstModel: boolean;
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

export const EmbryoAssessmentConnection = Connection(EmbryoAssessmentType, 'EmbryoAssessment');

@InputType('RecordAssessmentInput')
export class RecordAssessmentInput {
  @Field(() => ID) embryoId: string;
  @Field() grade: string;
  @Field(() => AssessmentDecisionEnum) decision: AssessmentDecision;
  @Field(() => String, {
    nullable: true,
    description:
      "Required when the decision goes against the model's ranking (transfer of an embryo it did not rank first, discard of its first choice).",
  })
  reason?: string | null;
}

@ObjectType('AgreementFigures', {
  description: 'How decisions and the model compare (newest assessment of each embryo).',
})
export class AgreementFiguresType {
  @Field(() => Int) assessed: number;
  @Field(() => Int, { description: "Assessed while the clinic's active model had scored the embryo." })
  withModelScore: number;
  @Field(() => Int) againstModel: number;
  @Field(() => Float, { nullable: true, description: 'Share of decisions with a model score that followed it.' })
  followedModelRate: number | null;
  @Field(() => Int, { description: 'Assessed embryos with a known outcome.' }) withOutcome: number;
  @Field(() => Int, {
    description: 'Of those, decisions that made a call (transfer/freeze: blastocyst; discard: not).',
  })
  embryologistCalls: number;
  @Field(() => Int) embryologistCorrect: number;
  @Field(() => Float, { nullable: true }) embryologistAccuracy: number | null;
  @Field(() => Int, { description: 'Of those, embryos the model had scored (its call: probability ≥ 0.5).' })
  modelCalls: number;
  @Field(() => Int) modelCorrect: number;
  @Field(() => Float, { nullable: true }) modelAccuracy: number | null;
}

@ObjectType('AssessorAgreement')
export class AssessorAgreementType {
  @Field(() => ID, { nullable: true }) userId: string | null;
  @Field(() => String, { nullable: true, description: 'E-mail of the embryologist (null once deleted).' })
  email: string | null;
  @Field(() => AgreementFiguresType) figures: AgreementFiguresType;
}

@ObjectType('AssessmentAgreement', { description: 'Agreement between embryologists and the model in one clinic.' })
export class AssessmentAgreementType {
  @Field(() => ID) clinicId: string;
  @Field(() => AgreementFiguresType) clinic: AgreementFiguresType;
  @Field(() => [AssessorAgreementType]) assessors: AssessorAgreementType[];
}

@ObjectType('ScoringSuspension', { description: "The clinic's kill switch is on: no scoring, no scores shown." })
export class ScoringSuspensionType {
  @Field(() => String, { nullable: true }) reason: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) since: Date | null;
  @Field(() => ID, { nullable: true, description: 'The administrator who suspended it.' }) by: string | null;
}

@InputType('AcceptanceCriteriaInput', {
  description: "What a shadow model must show on the clinic's own outcomes before it may become active.",
})
export class AcceptanceCriteriaInput {
  @Field(() => Float, { description: 'Day-3 ROC AUC at least this (0…1).' }) minDay3RocAuc: number;
  @Field(() => Int, { description: 'On at least this many local outcomes.' }) minOutcomes: number;
  @Field(() => Float, {
    nullable: true,
    description: "At most this much below the active model's day-3 ROC AUC (0…1); null: no comparison.",
  })
  maxDropVsActive?: number | null;
}

@ObjectType('AcceptanceCriteria')
export class AcceptanceCriteriaType {
  @Field(() => Float) minDay3RocAuc: number;
  @Field(() => Int) minOutcomes: number;
  @Field(() => Float, { nullable: true }) maxDropVsActive: number | null;
  @Field(() => ID, { nullable: true }) setBy: string | null;
  @Field(() => GraphQLISODateTime) setAt: Date;
}

@ObjectType('LocalPerformance', { description: "A model's day-3 ROC AUC on the clinic's recorded outcomes." })
export class LocalPerformanceType {
  @Field(() => ID) modelId: string;
  @Field(() => Float, { nullable: true }) day3RocAuc: number | null;
  @Field(() => Int, { description: 'Outcomes with a day-3 prediction it rests on.' }) outcomes: number;
}

@ObjectType('AcceptanceComparison', {
  description: 'A candidate model against its acceptance criteria and the active model, on local outcomes.',
})
export class AcceptanceComparisonType {
  @Field(() => ID) clinicId: string;
  @Field(() => AcceptanceCriteriaType, { nullable: true }) criteria: AcceptanceCriteriaType | null;
  @Field(() => LocalPerformanceType) candidate: LocalPerformanceType;
  @Field(() => LocalPerformanceType, { nullable: true }) active: LocalPerformanceType | null;
  @Field({ description: 'No criteria recorded, or all met: activateModel will proceed.' }) met: boolean;
  @Field(() => [String]) unmet: string[];
}

@ObjectType('ReliabilityBin', {
  description: 'One bin of the reliability diagram: mean prediction against observed rate.',
})
export class ReliabilityBinType {
  @Field(() => Float) from: number;
  @Field(() => Float) to: number;
  @Field(() => Int) count: number;
  @Field(() => Float, { nullable: true }) meanPredicted: number | null;
  @Field(() => Float, { nullable: true }) observedRate: number | null;
}

@ObjectType('MonitoringAlert')
export class MonitoringAlertType {
  @Field({ description: 'day3RocAuc, brier or psi.' }) metric: string;
  @Field(() => Float) value: number;
  @Field(() => Float) threshold: number;
}

@ObjectType('MonitoringPoint', { description: 'One nightly check of a model in a clinic.' })
export class MonitoringPointType {
  @Field(() => ID) id: string;
  @Field({ description: 'active or shadow.' }) role: string;
  @Field(() => GraphQLISODateTime) checkedAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Outcomes recorded after this count.' })
  since: Date | null;
  @Field(() => Int) outcomes: number;
  @Field(() => Float, { nullable: true }) rocAucDay3: number | null;
  @Field(() => Float, { nullable: true }) rocAucDay4: number | null;
  @Field(() => Float, { nullable: true }) rocAucDay5: number | null;
  @Field(() => Float, { nullable: true }) accuracyAuc: number | null;
  @Field(() => Float, { nullable: true }) brier: number | null;
  @Field(() => [ReliabilityBinType]) reliability: ReliabilityBinType[];
  @Field(() => Int, { description: 'Embryos whose latest score changed since the previous check.' }) scores: number;
  @Field(() => Float, { nullable: true, description: 'Population stability index against the scores at activation.' })
  psi: number | null;
  @Field(() => [MonitoringAlertType]) alerts: MonitoringAlertType[];
}
