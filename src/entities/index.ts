import { AuditEvent } from './audit-event.entity';
import { ClinicGovernance } from './clinic-governance.entity';
import { ClinicModel } from './clinic-model.entity';
import { Clinic } from './clinic.entity';
import { Cycle } from './cycle.entity';
import { DeviceCredential } from './device-credential.entity';
import { EmbryoPhase } from './embryo-phase.entity';
import { EmbryoAssessment } from './embryo-assessment.entity';
import { Embryo } from './embryo.entity';
import { FrameImage } from './frame-image.entity';
import { Frame } from './frame.entity';
import { ImportRunItem } from './import-run-item.entity';
import { ImportRun } from './import-run.entity';
import { ImportSourceFile } from './import-source-file.entity';
import { ImportSource } from './import-source.entity';
import { IngestedDicomInstance } from './ingested-dicom-instance.entity';
import { MembershipInvitation } from './membership-invitation.entity';
import { Membership } from './membership.entity';
import { ModelAcceptanceCriteria } from './model-acceptance-criteria.entity';
import { ModelMonitoringPoint } from './model-monitoring-point.entity';
import { ModelVersion } from './model-version.entity';
import { Patient } from './patient.entity';
import { Prediction } from './prediction.entity';
import { ScoringRun } from './scoring-run.entity';
import { ScoringStreamState } from './scoring-stream-state.entity';
import { UserSession } from './user-session.entity';
import { User } from './user.entity';

export * from './enums';
export * from './audit-actions';
export { SOURCE_FILE_STATUSES, type SourceFileStatus } from './import-source-file.entity';
export { ASSESSMENT_DECISIONS, type AssessmentDecision } from './embryo-assessment.entity';
export {
  AuditEvent,
  Clinic,
  ClinicGovernance,
  ClinicModel,
  Cycle,
  DeviceCredential,
  Embryo,
  EmbryoAssessment,
  EmbryoPhase,
  Frame,
  FrameImage,
  ImportRun,
  ImportRunItem,
  ImportSource,
  ImportSourceFile,
  IngestedDicomInstance,
  Membership,
  MembershipInvitation,
  ModelAcceptanceCriteria,
  ModelMonitoringPoint,
  ModelVersion,
  Patient,
  Prediction,
  ScoringRun,
  ScoringStreamState,
  User,
  UserSession,
};

/** Every entity, for the DataSource. */
export const ENTITIES = [
  AuditEvent,
  Clinic,
  ClinicGovernance,
  ClinicModel,
  Cycle,
  DeviceCredential,
  Embryo,
  EmbryoAssessment,
  EmbryoPhase,
  Frame,
  FrameImage,
  ImportRun,
  ImportRunItem,
  ImportSource,
  ImportSourceFile,
  IngestedDicomInstance,
  Membership,
  MembershipInvitation,
  ModelAcceptanceCriteria,
  ModelMonitoringPoint,
  ModelVersion,
  Patient,
  Prediction,
  ScoringRun,
  ScoringStreamState,
  User,
  UserSession,
];
