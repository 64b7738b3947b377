import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ClassType, type NonEmptyArray } from 'type-graphql';
import { AccountLifecycleResolver, ClinicInvitationResolver } from './resolvers/account-lifecycle.resolver';
import { AuditResolver } from './resolvers/audit.resolver';
import { AuthResolver } from './resolvers/auth.resolver';
import { ClinicResolver } from './resolvers/clinic.resolver';
import { CycleResolver } from './resolvers/cycle.resolver';
import { EmbryoResolver, FrameResolver } from './resolvers/embryo.resolver';
import {
  AssessmentResolver,
  ClinicGovernanceFieldResolver,
  EmbryoAssessmentFieldResolver,
} from './resolvers/governance.resolver';
import { HealthResolver } from './resolvers/health.resolver';
import { ImportSourceResolver } from './resolvers/import-source.resolver';
import { ModelResolver } from './resolvers/model.resolver';
import { PatientResolver } from './resolvers/patient.resolver';
import { RunResolver } from './resolvers/run.resolver';
import { MembershipResolver, UserResolver } from './resolvers/user.resolver';

// Every resolver class of the API. One line each.
export const RESOLVERS: NonEmptyArray<ClassType> = [
  HealthResolver,
  AuthResolver,
  ClinicResolver,
  UserResolver,
  MembershipResolver,
  AccountLifecycleResolver,
  ClinicInvitationResolver,
  PatientResolver,
  CycleResolver,
  EmbryoResolver,
  FrameResolver,
  RunResolver,
  AuditResolver,
  ModelResolver,
  ImportSourceResolver,
  AssessmentResolver,
  EmbryoAssessmentFieldResolver,
  ClinicGovernanceFieldResolver,
];

/** Builds the executable schema once per process; input types are checked with class-validator. */
export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    validate: { forbidUnknownValues: false },
  });
}
