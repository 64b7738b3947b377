import type { EntityManager } from 'typeorm';
import { DeviceCredential } from '../device-credential.entity';
import { scopedQuery, type ClinicScope } from './clinic-scope';

/** Device credentials for DICOMweb STOW-RS, found by the hash of their token. */
export class DeviceCredentialRepository {
  constructor(private readonly m: EntityManager) {}

  create(input: {
    clinicId: string;
    name: string;
    tokenHash: string;
    createdBy: string | null;
  }): Promise<DeviceCredential> {
    return this.m.getRepository(DeviceCredential).save(input);
  }

  /** A credential that is not revoked, by token hash; marks it used. */
  async activeByTokenHash(tokenHash: string): Promise<DeviceCredential | null> {
    const credential = await this.m
      .getRepository(DeviceCredential)
      .createQueryBuilder('d')
      .where('d.token_hash = :tokenHash AND d.revoked_at IS NULL', { tokenHash })
      .getOne();
    if (credential) await this.m.update(DeviceCredential, { id: credential.id }, { lastUsedAt: new Date() });
    return credential;
  }

  credentialsIn(scope: ClinicScope, ids: string[]): Promise<DeviceCredential[]> {
    return scopedQuery(this.m, DeviceCredential, 'd', scope)
      .andWhere('d.id = ANY(CAST(:ids AS uuid[]))', { ids })
      .getMany();
  }

  ofClinic(scope: ClinicScope, clinicId: string): Promise<DeviceCredential[]> {
    return scopedQuery(this.m, DeviceCredential, 'd', scope)
      .andWhere('d.clinic_id = :clinicId', { clinicId })
      .orderBy('d.created_at', 'DESC')
      .getMany();
  }

  /** Revokes once; false when it was already revoked. */
  async revoke(id: string): Promise<boolean> {
    const result = await this.m
      .createQueryBuilder()
      .update(DeviceCredential)
      .set({ revokedAt: () => 'now()' })
      .where('id = :id AND revoked_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
