import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Permission } from '../../auth/permissions';
import type { DeviceCredential, ImportRun, ImportSource } from '../../entities';
import { healthOf, type ImportSourceHealth } from '../../ingest/sources/import-sources.service';
import type { ApiContext } from '../context';
import { BadInputError } from '../errors';
import {
  CreateImportSourceInput,
  DeviceCredentialType,
  ImportSourceHealthType,
  ImportSourceType,
  NewDeviceCredentialType,
  UpdateImportSourceInput,
} from '../types/import-source.types';
import { ImportRunType } from '../types/run.types';

const MAX_LAST_RUNS = 50;

/** Import sources (clinic ADMIN configures, lab roles read their health) and device credentials (ADMIN). */
@Resolver(() => ImportSourceType)
export class ImportSourceResolver {
  @Query(() => [ImportSourceType], { description: "A clinic's import sources, by name, with their health." })
  importSources(@Arg('clinicId', () => ID) clinicId: string, @Ctx() ctx: ApiContext): Promise<ImportSource[]> {
    return ctx.data.importSources(clinicId);
  }

  @Mutation(() => ImportSourceType, { description: 'Clinic ADMIN: a new source, scanned on its schedule.' })
  async createImportSource(
    @Arg('input') input: CreateImportSourceInput,
    @Ctx() ctx: ApiContext,
  ): Promise<ImportSource> {
    const grant = await ctx.data.clinicToChange(input.clinicId, Permission.MANAGE);
    return ctx.services.importSources.create(grant, input);
  }

  @Mutation(() => ImportSourceType, { description: 'Clinic ADMIN: changes name, path, schedule or scoreAfterImport.' })
  async updateImportSource(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateImportSourceInput,
    @Ctx() ctx: ApiContext,
  ): Promise<ImportSource> {
    const { grant } = await ctx.data.importSourceToChange(id, Permission.MANAGE);
    return ctx.services.importSources.update(grant, id, {
      name: input.name ?? undefined,
      path: input.path ?? undefined,
      schedule: input.schedule ?? undefined,
      scoreAfterImport: input.scoreAfterImport ?? undefined,
    });
  }

  @Mutation(() => ImportSourceType, { description: 'Clinic ADMIN: pauses (no scans) or resumes a source.' })
  async setImportSourcePaused(
    @Arg('id', () => ID) id: string,
    @Arg('paused') paused: boolean,
    @Ctx() ctx: ApiContext,
  ): Promise<ImportSource> {
    const { grant } = await ctx.data.importSourceToChange(id, Permission.MANAGE);
    return ctx.services.importSources.setPaused(grant, id, paused);
  }

  @Mutation(() => ImportSourceType, {
    description: 'Clinic ADMIN: removes a source (its import runs and frames stay). Returns it as it was.',
  })
  async removeImportSource(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<ImportSource> {
    const { grant } = await ctx.data.importSourceToChange(id, Permission.MANAGE);
    return ctx.services.importSources.remove(grant, id);
  }

  @Mutation(() => ID, {
    description:
      "Clinic ADMIN: scans the source now, on a worker, as a scheduled scan would (retryFailed: take files that failed before again even if unchanged). Answers the queued job's id; the scan shows in lastRuns once done. Audited.",
  })
  async scanImportSource(
    @Arg('id', () => ID) id: string,
    @Arg('retryFailed', { defaultValue: false }) retryFailed: boolean,
    @Ctx() ctx: ApiContext,
  ): Promise<string> {
    const { grant } = await ctx.data.importSourceToChange(id, Permission.MANAGE);
    return ctx.services.sourceScanRequests.request(grant, id, { retryFailed });
  }

  @FieldResolver(() => ImportSourceHealthType)
  health(@Root() source: ImportSource): ImportSourceHealth {
    return healthOf(source);
  }

  @FieldResolver(() => [ImportRunType], { description: 'Newest first (at most 50), each with its item report.' })
  lastRuns(
    @Root() source: ImportSource,
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { defaultValue: 5 }) first: number,
  ): Promise<ImportRun[]> {
    if (!(first >= 1 && first <= MAX_LAST_RUNS)) throw new BadInputError(`first must be 1 to ${MAX_LAST_RUNS}`);
    return ctx.data.runsOfImportSource(source, first);
  }

  @Query(() => [DeviceCredentialType], { description: "Clinic ADMIN: the clinic's device credentials, newest first." })
  deviceCredentials(@Arg('clinicId', () => ID) clinicId: string, @Ctx() ctx: ApiContext): Promise<DeviceCredential[]> {
    return ctx.data.deviceCredentials(clinicId);
  }

  @Mutation(() => NewDeviceCredentialType, {
    description:
      'Clinic ADMIN: a credential for a device pushing DICOM (STOW-RS) into this clinic; the token is shown once.',
  })
  async createDeviceCredential(
    @Arg('clinicId', () => ID) clinicId: string,
    @Arg('name') name: string,
    @Ctx() ctx: ApiContext,
  ): Promise<{ credential: DeviceCredential; token: string }> {
    const grant = await ctx.data.clinicToChange(clinicId, Permission.MANAGE);
    return ctx.services.deviceCredentials.create(grant, name);
  }

  @Mutation(() => DeviceCredentialType, {
    description: 'Clinic ADMIN: the device is refused from its next request on.',
  })
  async revokeDeviceCredential(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<DeviceCredential> {
    const { grant } = await ctx.data.deviceCredentialToChange(id);
    return ctx.services.deviceCredentials.revoke(grant, id);
  }
}
