import { AuditEvent } from './audit-event.entity';
import { ClinicGovernance } from './clinic-governance.entity';
import { ClinicModel } from './clinic-model.entity';
import { Clinic } from './clinic.entity';
import { Cycle } from './cycle.entity';
import { EmbryoPhase } from './embryo-phase.entity';
import { EmbryoAssessment } from './embryo-assessment.entity';
import { Embryo } from './embryo.entity';
import { FrameImage } from './frame-image.entity';
import { Frame } from './frame.entity';
import { ImportRunItem } from './import-run-item.entity';
import { ImportRun } from './import-run.entity';
import { IngestedDicomInstance } from './ingested-dicom-instance.entity';
import { Membership } from './membership.entity';
import { ModelAcceptanceCriteria } from './model-acceptance-criteria.entity';
import { ModelMonitoringPoint } from './model-monitoring-point.entity';
import { ModelVersion } from './model-version.entity';
import { Patient } from './patient.entity';
import { Prediction } from './prediction.entity';
import { ScoringRun } from './scoring-run.entity';
import { ScoringStreamState } from './scoring-stream-state.entity';
import { User } from './user.entity';

export * from './enums';
export * from './audit-actions';
export { ASSESSMENT_DECISIONS, type AssessmentDecision } from './embryo-assessment.entity';
export {
  AuditEvent,
  Clinic,
  ClinicGovernance,
  ClinicModel,
  Cycle,
  Embryo,
  EmbryoAssessment,
  EmbryoPhase,
  Frame,
  FrameImage,
  ImportRun,
  ImportRunItem,
  IngestedDicomInstance,
  Membership,
  ModelAcceptanceCriteria,
  ModelMonitoringPoint,
  ModelVersion,
  Patient,
  Prediction,
  ScoringRun,
  ScoringStreamState,
  User,
};

/** Every entity, for the DataSource. */
export const ENTITIES = [
  AuditEvent,
  Clinic,
  ClinicGovernance,
  ClinicModel,
  Cycle,
  Embryo,
  EmbryoAssessment,
  EmbryoPhase,
  Frame,
  FrameImage,
  ImportRun,
  ImportRunItem,
  IngestedDicomInstance,
  Membership,
  ModelAcceptanceCriteria,
  ModelMonitoringPoint,
  ModelVersion,
  Patient,
  Prediction,
  ScoringRun,
  ScoringStreamState,
  User,
];
