import { Arg, Ctx, GraphQLISODateTime, ID, Int, Query, Resolver } from 'type-graphql';
import type { AuditEvent } from '../../entities';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { encodeCursor, pageSize } from '../pagination';
import { toConnection, type ConnectionValue } from '../types/connection';
import { AuditEventConnection } from '../types/run.types';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    description:
      'Clinic ADMIN or AUDITOR: events of one clinic in [from, to), oldest first. Without clinicId: events of no clinic ' +
      '(sign-ins, failed sign-ins), for network admins only. Reading it is audited too.',
  })
  async auditEvents(
    @Ctx() ctx: ApiContext,
    @Arg('clinicId', () => ID, { nullable: true }) clinicId?: string,
    @Arg('from', () => GraphQLISODateTime, { nullable: true }) from?: Date,
    @Arg('to', () => GraphQLISODateTime, { nullable: true }) to?: Date,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ConnectionValue<AuditEvent>> {
    const size = pageSize(first);
    if (from && to && from >= to) throw new BadInputError('"from" must be before "to"');
    const page = await ctx.data.auditEvents(
      clinicId ?? null,
      { from: from ?? undefined, to: to ?? undefined },
      size,
      after,
    );
    return toConnection(page, (e) => encodeCursor('audit', e.id));
  }
}
