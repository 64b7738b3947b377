import { createHash, randomBytes } from 'node:crypto';
import { AuditAction, type DeviceCredential } from '../entities';
import type { DataStore } from '../entities/repositories';
import { UserError } from '../platform/errors';
import { isUuid } from '../platform/ids';
import { ClinicGrant } from './grants';
import { Permission } from './permissions';

/** Every device token starts with this, so a leaked one is recognisable (and never taken for a JWT). */
export const DEVICE_TOKEN_PREFIX = 'amsdev_';

export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Credentials of devices that push DICOM (STOW-RS) into one clinic, managed by its ADMIN. The
 * token has 256 random bits and is shown once; only its SHA-256 is stored (a slow password hash
 * adds nothing to a random secret of that size). Creating and revoking are audited.
 */
export class DeviceCredentialsService {
  constructor(private readonly store: DataStore) {}

  async create(grant: ClinicGrant, name: string): Promise<{ credential: DeviceCredential; token: string }> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > 200) throw new UserError('device name must have 1 to 200 characters');
    const token = DEVICE_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const credential = await this.store.transaction(async (tx) => {
      const created = await tx.deviceCredentials.create({
        clinicId: grant.clinicId,
        name: trimmed,
        tokenHash: hashDeviceToken(token),
        createdBy: grant.actor.userId,
      });
      await tx.audit.append(grant.actor, {
        action: AuditAction.DEVICE_CREDENTIAL_CREATED,
        entity: 'device_credential',
        entityId: created.id,
        clinicId: grant.clinicId,
        detail: { name: trimmed },
      });
      return created;
    });
    return { credential, token };
  }

  list(grant: ClinicGrant): Promise<DeviceCredential[]> {
    ClinicGrant.check(grant, Permission.MANAGE);
    return this.store.deviceCredentials.ofClinic({ all: false, clinicIds: [grant.clinicId] }, grant.clinicId);
  }

  /** Revokes a credential of the grant's clinic at once (its next request is refused); audited once. */
  async revoke(grant: ClinicGrant, id: string): Promise<DeviceCredential> {
    ClinicGrant.check(grant, Permission.MANAGE);
    const [credential] = isUuid(id)
      ? await this.store.deviceCredentials.credentialsIn({ all: false, clinicIds: [grant.clinicId] }, [id])
      : [];
    if (!credential) throw new UserError('device credential not found');
    await this.store.transaction(async (tx) => {
      if (!(await tx.deviceCredentials.revoke(id))) return;
      await tx.audit.append(grant.actor, {
        action: AuditAction.DEVICE_CREDENTIAL_REVOKED,
        entity: 'device_credential',
        entityId: id,
        clinicId: grant.clinicId,
        detail: { name: credential.name },
      });
    });
    return (await this.store.deviceCredentials.credentialsIn({ all: false, clinicIds: [grant.clinicId] }, [id]))[0];
  }

  /** The active credential a bearer token belongs to, or null (unknown, malformed or revoked). */
  async authenticate(token: string): Promise<DeviceCredential | null> {
    if (!token.startsWith(DEVICE_TOKEN_PREFIX) || token.length > 200) return null;
    return this.store.deviceCredentials.activeByTokenHash(hashDeviceToken(token));
  }
}
