import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import type { ImportKind, RunStatus } from '../../entities';
import { Connection } from './connection';
import { ImportKindEnum, RunStatusEnum } from './enums';

@ObjectType('ScoringRun', { description: 'One scoring pass: what asked for it, what it scored, how fast.' })
export class ScoringRunType {
  @Field(() => ID) id: string;
  @Field(() => ID, { nullable: true }) clinicId: string | null;
  @Field(() => ID, { nullable: true }) modelVersionId: string | null;
  @Field() trigger: string;
  @Field(() => ID, { nullable: true }) requestedBy: string | null;
  @Field(() => RunStatusEnum) status: RunStatus;
  @Field(() => GraphQLJSONObject) scope: Record<string, unknown>;
  @Field(() => Int) embryosScored: number;
  @Field(() => Int) predictionsWritten: number;
  @Field(() => Int) embryosFailed: number;
  @Field(() => Int, { nullable: true }) durationMs: number | null;
  @Field(() => Float, { nullable: true }) embryosPerSecond: number | null;
  @Field(() => String, { nullable: true }) executionProvider: string | null;
  @Field(() => String, { nullable: true }) error: string | null;
  @Field(() => GraphQLJSONObject, { description: 'Per-embryo failures and timing.' }) details: Record<string, unknown>;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) startedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt: Date | null;
}

@ObjectType('ImportRunItem', { description: 'What happened to one item of an import, and why.' })
export class ImportRunItemType {
  @Field(() => ID) id: string;
  @Field() item: string;
  @Field({ description: 'stored, alreadyStored, skipped or failed' }) status: string;
  @Field(() => String, { nullable: true }) reason: string | null;
}

@ObjectType('ImportRun')
export class ImportRunType {
  @Field(() => ID) id: string;
  @Field(() => ImportKindEnum) kind: ImportKind;
  @Field() source: string;
  @Field(() => RunStatusEnum) status: RunStatus;
  @Field(() => Int) stored: number;
  @Field(() => Int) alreadyStored: number;
  @Field(() => Int) skipped: number;
  @Field(() => Int) failed: number;
  @Field(() => GraphQLISODateTime) startedAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) finishedAt: Date | null;
  // items: field resolver
}

@ObjectType('AuditEvent', { description: 'An append-only record of a read of patient-level data or a change.' })
export class AuditEventType {
  @Field(() => ID) id: string;
  @Field(() => GraphQLISODateTime) at: Date;
  @Field(() => ID, { nullable: true }) userId: string | null;
  @Field() action: string;
  @Field() entity: string;
  @Field(() => String, { nullable: true }) entityId: string | null;
  @Field(() => ID, { nullable: true }) clinicId: string | null;
  @Field(() => String, { nullable: true }) requestId: string | null;
  @Field(() => GraphQLJSONObject) detail: Record<string, unknown>;
}

export const ScoringRunConnection = Connection(ScoringRunType, 'ScoringRun');
export const ImportRunConnection = Connection(ImportRunType, 'ImportRun');
export const AuditEventConnection = Connection(AuditEventType, 'AuditEvent');
