import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';

/** GraphQL shapes of the model registry and of the paper's evaluation (DESIGN.md §6, §7). */

@ObjectType('ClinicModel', { description: 'A model version enabled for a clinic.' })
export class ClinicModelType {
  @Field(() => ID) clinicId: string;
  @Field(() => ID) modelId: string;
  @Field({ description: "The clinic's default model: its probabilities are what clinicians see." }) active: boolean;
  @Field({ description: 'Scored silently; its numbers are visible to clinic administrators only.' }) shadow: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true }) activatedAt: Date | null;
}

@ObjectType('ModelProvenance', { description: "Where a model version's weights came from." })
export class ModelProvenanceType {
  @Field({
    description:
      'random: built without trained weights; trained: by the amsnet trainer (manifest attached); imported: weights from elsewhere.',
  })
  kind: string;
  @Field({ description: 'Trained on synthetic images: not for clinical use, like an untrained model.' })
  synthetic: boolean;
  @Field(() => String, { nullable: true, description: 'sha256 of the weights file the graph was built from.' })
  weightsSha256: string | null;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'The training manifest: dataset (size, outcome balance, split), recipe, seed, validation metrics.',
  })
  manifest: Record<string, unknown> | null;
}

@ObjectType('ModelVersion', { description: 'A registered ONNX model that fulfils the AMSNet contract.' })
export class ModelVersionType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() version: string;
  @Field() sha256: string;
  @Field() variant: string;
  @Field(() => [Int], { description: 'Focal planes in µm, ascending.' }) planes: number[];
  @Field(() => Int) inputSize: number;
  @Field({ description: 'False: built without trained weights; its numbers mean nothing clinically.' })
  trained: boolean;
  @Field({ description: 'Trained on synthetic images: not for clinical use, like an untrained model.' })
  synthetic: boolean;
  @Field(() => String, {
    nullable: true,
    description: 'Set for a model whose numbers are not for clinical use (untrained, or trained on synthetic data).',
  })
  warning: string | null;
  @Field(() => ModelProvenanceType) provenance: ModelProvenanceType;
  @Field(() => Float) sizeBytes: number;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  // clinics, evaluation: field resolvers
}

@ObjectType('RegisterModelResult')
export class RegisterModelResultType {
  @Field(() => ModelVersionType) model: ModelVersionType;
  @Field({ description: 'False when a version with the same bytes (sha256) existed already; that one is returned.' })
  created: boolean;
}

@InputType('RegisterModelInput', { description: "A model file placed in the server's model folder (DATA_DIR/models)." })
export class RegisterModelInput {
  @Field({ description: 'File name inside DATA_DIR/models, e.g. "amsnet-f7-2026.onnx".' }) serverPath: string;
  @Field() name: string;
  @Field() version: string;
  @Field({ nullable: true, description: 'State trained/untrained when the file does not.' }) trained?: boolean;
  @Field(() => [Int], {
    nullable: true,
    description: 'Focal planes (µm, ascending) for a file without amsnet metadata.',
  })
  planes?: number[];
  @Field({ nullable: true, description: 'baseline | tsm | tsm-channel | amsnet, for a file without amsnet metadata.' })
  variant?: string;
  @Field(() => Int, { nullable: true }) inputSize?: number;
}

@ObjectType('EvaluationDay', {
  description:
    "One column of the paper's Table 1: predictions at segment 4d−1 (or the last scored one) against recorded outcomes, threshold 0.5.",
})
export class EvaluationDayType {
  @Field(() => Float) day: number;
  @Field(() => Int) segment: number;
  @Field(() => Int, { description: 'Embryos with a usable prediction for this day.' }) n: number;
  @Field(() => Int) positives: number;
  @Field(() => Int) negatives: number;
  @Field(() => Int) truePositives: number;
  @Field(() => Int) trueNegatives: number;
  @Field(() => Int) falsePositives: number;
  @Field(() => Int) falseNegatives: number;
  @Field(() => Float, { nullable: true }) accuracy: number | null;
  @Field(() => Float, { nullable: true }) sensitivity: number | null;
  @Field(() => Float, { nullable: true }) specificity: number | null;
}

@ObjectType('RocPoint')
export class RocPointType {
  @Field(() => Float, {
    nullable: true,
    description: 'Predictions ≥ threshold count as positive; null for the (0, 0) corner.',
  })
  threshold: number | null;
  @Field(() => Float) falsePositiveRate: number;
  @Field(() => Float) truePositiveRate: number;
}

@ObjectType('RocCurve')
export class RocCurveType {
  @Field(() => Float) day: number;
  @Field(() => Int) segment: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Exact (Mann–Whitney, ties count ½); null when one class is absent.',
  })
  auc: number | null;
  @Field(() => Int) positives: number;
  @Field(() => Int) negatives: number;
  @Field(() => [RocPointType]) points: RocPointType[];
}

@ObjectType('LaggingEmbryo', {
  description:
    'An embryo whose predictions stop before the segments its frames and culture made complete: left out of the later days, not carried forward.',
})
export class LaggingEmbryoType {
  @Field(() => ID) embryoId: string;
  @Field(() => Int, { description: 'Segments the model scored.' }) scoredSegments: number;
  @Field(() => Int, { description: 'Segments complete by its frames and recorded end of culture.' })
  completeSegments: number;
  @Field({ description: 'Whether its end of culture is recorded.' }) cultureEnded: boolean;
}

@ObjectType('ModelEvaluation', { description: "The paper's metrics of one model on a clinic's recorded outcomes." })
export class ModelEvaluationType {
  @Field(() => ModelVersionType) model: ModelVersionType;
  @Field({ description: 'True for a model without trained weights: say so wherever these numbers appear.' })
  untrained: boolean;
  @Field({ description: 'True for a model trained on synthetic images: its numbers say nothing about real embryos.' })
  synthetic: boolean;
  @Field(() => String, { nullable: true }) warning: string | null;
  @Field(() => ID) clinicId: string;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Cycles inseminated at or after.' })
  from: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Cycles inseminated before.' }) to: Date | null;
  @Field(() => Int, { description: 'Embryos in scope with a recorded outcome.' }) embryosWithOutcome: number;
  @Field(() => Int, { description: 'Of those, never scored by this model (left out).' }) embryosNotScored: number;
  @Field(() => [LaggingEmbryoType], {
    description:
      'Scored embryos whose predictions lag behind their culture (§7 carries a last prediction forward only once culture ended and scoring reached its end).',
  })
  laggingEmbryos: LaggingEmbryoType[];
  @Field(() => Int) embryos: number;
  @Field(() => Int) blastocysts: number;
  @Field(() => Int) notBlastocysts: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Trapezoidal area of the accuracy curve over days 0.5…7 divided by 7.',
  })
  accuracyAuc: number | null;
  @Field(() => [EvaluationDayType]) days: EvaluationDayType[];
  @Field(() => [RocCurveType], { description: 'Days 3, 4, 5.' }) roc: RocCurveType[];
  @Field(() => GraphQLISODateTime) evaluatedAt: Date;
}
