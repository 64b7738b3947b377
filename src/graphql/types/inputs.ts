import {
  ArrayMaxSize,
  ArrayMinSize,
  IsEmail,
  IsIn,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { Field, GraphQLISODateTime, ID, InputType } from 'type-graphql';
import { CYCLE_METHODS, type CycleMethod, type Role } from '../../entities';
import { CycleMethodEnum, RoleEnum } from './enums';

const TEXT_ID = /^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,127}$/;

@InputType()
export class CreateClinicInput {
  @Field()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
    message: 'code must be letters, digits, _ or - (at most 64, starting with a letter or digit)',
  })
  code: string;

  @Field()
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name: string;
}

@InputType()
export class CreateUserInput {
  @Field()
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email: string;

  @Field(() => String, {
    nullable: true,
    description: 'At least 12 characters; leave out for users who sign in through OIDC only.',
  })
  @IsOptional()
  @MinLength(12, { message: 'password must be at least 12 characters' })
  @MaxLength(1024)
  password?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200)
  displayName?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Clinic of the first membership (required unless a network admin creates a network admin).',
  })
  @IsOptional()
  @IsUUID('all', { message: 'clinicId must be an id' })
  clinicId?: string | null;

  @Field(() => RoleEnum, { nullable: true })
  @IsOptional()
  role?: Role | null;

  @Field({ defaultValue: false, description: 'Network administrators only.' })
  networkAdmin: boolean;
}

@InputType()
export class CreatePatientInput {
  @Field(() => ID) clinicId: string;

  @Field()
  @Matches(TEXT_ID, { message: 'mrn must be 1 to 128 letters, digits, spaces or . _ : / -' })
  mrn: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200, { message: 'displayName must be at most 200 characters' })
  displayName?: string | null;
}

@InputType()
export class CreateCycleInput {
  @Field(() => ID) clinicId: string;
  @Field(() => ID) patientId: string;

  @Field()
  @Matches(TEXT_ID, { message: 'externalId must be 1 to 128 letters, digits, spaces or . _ : / -' })
  externalId: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  @IsOptional()
  inseminationAt?: Date | null;

  @Field(() => CycleMethodEnum, { nullable: true })
  @IsOptional()
  @IsIn(CYCLE_METHODS)
  method?: CycleMethod | null;
}

@InputType({ description: 'Fields left out stay as they are; null clears insemination time or method.' })
export class UpdateCycleInput {
  @Field({ nullable: true })
  @IsOptional()
  @Matches(TEXT_ID, { message: 'externalId must be 1 to 128 letters, digits, spaces or . _ : / -' })
  externalId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  patientId?: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  @IsOptional()
  inseminationAt?: Date | null;

  @Field(() => CycleMethodEnum, { nullable: true })
  @IsOptional()
  method?: CycleMethod | null;
}

@InputType({ description: 'Either a cycle (all its embryos) or a list of embryos.' })
export class ScoringRequestInput {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  cycleId?: string | null;

  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMinSize(1, { message: 'embryoIds must not be empty' })
  @ArrayMaxSize(500, { message: 'at most 500 embryoIds per request' })
  embryoIds?: string[] | null;
}
