import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import type { Role } from '../../entities';
import { UserType } from './account.types';
import { RoleEnum } from './enums';

@ObjectType('Session', { description: 'One password sign-in whose token may still be valid.' })
export class SessionType {
  @Field(() => ID) id: string;
  @Field(() => GraphQLISODateTime, { description: 'The sign-in; the session ends SESSION_MAX_AGE_SECONDS after it.' })
  signedInAt: Date;
  @Field(() => GraphQLISODateTime) refreshedAt: Date;
  @Field(() => GraphQLISODateTime) expiresAt: Date;
  @Field(() => String, { nullable: true }) address: string | null;
  @Field({ description: 'The session of the token that asked.' }) current: boolean;
}

@ObjectType('PasswordReset')
export class PasswordResetType {
  @Field(() => UserType) user: UserType;
  @Field({ description: 'Shown once: the user must replace it at its next sign-in.' }) temporaryPassword: string;
}

@ObjectType('ClinicInvitation', {
  description: 'An administrator of another clinic asked for a role for you: it applies only once you accept.',
})
export class ClinicInvitationType {
  @Field(() => ID) id: string;
  @Field(() => RoleEnum) role: Role;
  @Field(() => GraphQLISODateTime) createdAt: Date;
  // clinic: field resolver
}
