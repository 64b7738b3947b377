import { Arg, Ctx, GraphQLISODateTime, ID, Int, Query, Resolver } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { AuditEvent } from '../../entities';
import { AuditAction } from '../../platform/audit/audit-actions';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import { encodeCursor, pageSize } from '../pagination';
import { toConnection, type ConnectionValue } from '../types/connection';
import { AuditEventConnection } from '../types/run.types';

@Resolver()
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    description: 'Clinic ADMIN or AUDITOR: events of one clinic in [from, to), oldest first. Without clinicId: events of no clinic '
      + '(sign-ins, failed sign-ins), for network admins only. Reading it is audited too.',
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
    if (clinicId) await ctx.access.requireClinic(clinicId, Permission.READ_AUDIT_LOG);
    else ctx.access.requireNetworkAdmin();
    const page = await ctx.data.auditEvents(clinicId ?? null, { from: from ?? undefined, to: to ?? undefined }, size, after);
    await ctx.auditRead.record({
      action: AuditAction.READ_AUDIT_LOG, entity: 'audit_event', clinicId: clinicId ?? null,
      detail: { from: from ?? null, to: to ?? null, count: page.nodes.length },
    });
    return toConnection(page, (e) => encodeCursor('audit', e.id));
  }
}
