import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import type { Role } from '../../entities';
import { RoleEnum } from './enums';

@ObjectType('Clinic', { description: 'A site; every patient-level record belongs to exactly one clinic.' })
export class ClinicType {
  @Field(() => ID) id: string;
  @Field() code: string;
  @Field() name: string;
  @Field(() => GraphQLISODateTime) createdAt: Date;
}

@ObjectType('Membership')
export class MembershipType {
  @Field(() => ID) id: string;
  @Field(() => RoleEnum) role: Role;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  // clinic: field resolver
}

@ObjectType('User')
export class UserType {
  @Field(() => ID) id: string;
  @Field() email: string;
  @Field(() => String, { nullable: true }) displayName: string | null;
  @Field({ description: 'Administrator of every clinic.' }) networkAdmin: boolean;
  @Field() disabled: boolean;
  @Field({ description: 'Signed in with a temporary password that must be replaced.' }) mustChangePassword: boolean;
  // memberships: field resolver (only clinics the caller can see)
}

@ObjectType('AuthPayload')
export class AuthPayloadType {
  @Field({ description: 'Bearer token for the Authorization header.' }) token: string;
  @Field(() => GraphQLISODateTime, { description: 'Renew before this with refreshToken, or sign in again.' })
  expiresAt: Date;
  @Field(() => UserType) user: UserType;
  @Field({
    description:
      'A temporary password (first start, reset): nothing but changePassword is allowed until it is replaced.',
  })
  mustChangePassword: boolean;
}
