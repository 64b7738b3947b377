import { IsBoolean, IsIn, IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { Field, GraphQLISODateTime, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IMPORT_KINDS, type ImportKind } from '../../entities';
import { ImportKindEnum } from './enums';

@ObjectType('ImportSourceHealth', { description: 'How the scheduled scans of a source are going.' })
export class ImportSourceHealthType {
  @Field({ description: 'No failed scan since the last success.' }) healthy: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastCheckedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'The last scan without a failed import.' })
  lastSuccessAt: Date | null;
  @Field(() => Int) consecutiveFailures: number;
  @Field(() => String, { nullable: true }) lastError: string | null;
}

@ObjectType('ImportSource', {
  description: 'A folder on the server (inside IMPORT_ROOTS) that the scheduler scans and imports from.',
})
export class ImportSourceType {
  @Field(() => ID) id: string;
  @Field(() => ID) clinicId: string;
  @Field() name: string;
  @Field(() => ImportKindEnum, {
    description:
      'FOLDER: EmbryoScope folder export; PDB: .pdb slide files; DICOM: DICOM drop folder; CYCLES: cycle sheets.',
  })
  kind: ImportKind;
  @Field({ description: 'Absolute path on the server, symlinks resolved.' }) path: string;
  @Field({ description: 'Five-field cron expression of the scans (server time).' }) schedule: string;
  @Field({ description: 'Score the embryos of active cycles that an import gave new frames.' })
  scoreAfterImport: boolean;
  @Field() paused: boolean;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime) updatedAt: Date;
  // health and lastRuns: field resolvers
}

@InputType()
export class CreateImportSourceInput {
  @Field(() => ID)
  @IsUUID('all', { message: 'clinicId must be an id' })
  clinicId: string;

  @Field()
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name: string;

  @Field(() => ImportKindEnum)
  @IsIn([...IMPORT_KINDS])
  kind: ImportKind;

  @Field({ description: 'Absolute folder inside one of the configured IMPORT_ROOTS.' })
  @Length(1, 4096)
  path: string;

  @Field({ description: 'Five-field cron expression, e.g. "*/5 * * * *".' })
  @Length(9, 200)
  schedule: string;

  @Field({ nullable: true, defaultValue: true })
  @IsOptional()
  @IsBoolean()
  scoreAfterImport?: boolean;
}

@InputType()
export class UpdateImportSourceInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 4096)
  path?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  schedule?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  @IsBoolean()
  scoreAfterImport?: boolean | null;
}

@ObjectType('DeviceCredential', {
  description: 'A device (microscope, PACS router) allowed to push DICOM over STOW-RS into one clinic.',
})
export class DeviceCredentialType {
  @Field(() => ID) id: string;
  @Field(() => ID) clinicId: string;
  @Field() name: string;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) revokedAt: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastUsedAt: Date | null;
}

@ObjectType('NewDeviceCredential')
export class NewDeviceCredentialType {
  @Field(() => DeviceCredentialType) credential: DeviceCredentialType;
  @Field({
    description: 'The bearer token for POST /dicomweb/studies. Shown this once: only its hash is stored.',
  })
  token: string;
}
