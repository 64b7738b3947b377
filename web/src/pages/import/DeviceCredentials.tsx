import { useState } from 'react';
import {
  CreateDeviceCredentialDocument,
  RevokeDeviceCredentialDocument,
  type DeviceCredentialFieldsFragment,
} from '../../api/generated';
import { useMutation } from '../../api/use-query';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice, StatusNotice } from '../../components/Notices';
import { formatDateTime } from '../../lib/format';

/**
 * Credentials of the devices (incubators, PACS) that push DICOM into this clinic with STOW-RS. A new
 * credential's token is shown once, here, right after it is made: the server keeps only its hash.
 */
export function DeviceCredentials(props: {
  clinicId: string;
  credentials: DeviceCredentialFieldsFragment[];
  onChanged(): void;
}) {
  const create = useMutation(CreateDeviceCredentialDocument);
  const revoke = useMutation(RevokeDeviceCredentialDocument);
  const [issued, setIssued] = useState<{ name: string; token: string } | undefined>();
  const [revoking, setRevoking] = useState<DeviceCredentialFieldsFragment | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const endpoint = `${location.origin}/dicomweb/studies`;

  return (
    <div className="card" data-testid="device-credentials">
      <h2>Devices pushing DICOM</h2>
      <p className="muted">
        A device sends its instances to <code>POST {endpoint}</code> with its own bearer token. Revoking a credential
        refuses the device from its next request on; what it sent stays.
      </p>
      <ErrorNotice error={revoke.error} />
      <StatusNotice message={message} />
      {issued && (
        <p className="notice" role="status" data-testid="device-token">
          Token of {issued.name} (shown this once; enter it in the device now): <code>{issued.token}</code>
        </p>
      )}
      <form
        className="form form--inline"
        aria-label="New device credential"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const name = String(new FormData(form).get('name')).trim();
          const result = await create.run({ clinicId: props.clinicId, name });
          if (result) {
            form.reset();
            setMessage(undefined);
            setIssued({ name, token: result.createDeviceCredential.token });
            props.onChanged();
          }
        }}
      >
        <label>
          Device name
          <input name="name" type="text" required autoComplete="off" placeholder="e.g. incubator 2" />
        </label>
        <button type="submit" className="button button--primary" disabled={create.running}>
          Create credential
        </button>
        <ErrorNotice error={create.error} />
      </form>
      {props.credentials.length > 0 && (
        <table className="table" data-testid="credentials-table">
          <caption className="visually-hidden">Device credentials, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {props.credentials.map((c) => (
              <tr key={c.id}>
                <th scope="row">{c.name}</th>
                <td className="nowrap">{formatDateTime(c.createdAt)}</td>
                <td className="nowrap">{c.lastUsedAt ? formatDateTime(c.lastUsedAt) : 'never'}</td>
                <td>
                  {c.revokedAt ? (
                    <span className="tag tag--danger">revoked {formatDateTime(c.revokedAt)}</span>
                  ) : (
                    <span className="tag tag--ok">active</span>
                  )}
                </td>
                <td>
                  {!c.revokedAt && (
                    <button type="button" className="button button--quiet" onClick={() => setRevoking(c)}>
                      Revoke…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={revoking !== undefined}
        title="Revoke the credential?"
        confirmLabel="Revoke"
        danger
        onCancel={() => setRevoking(undefined)}
        onConfirm={async () => {
          const c = revoking!;
          setRevoking(undefined);
          if (await revoke.run({ id: c.id })) {
            setIssued(undefined);
            setMessage(`${c.name} is refused from its next request on.`);
            props.onChanged();
          }
        }}
      >
        <p>
          {revoking?.name} can no longer send images to this clinic. A new credential is needed to connect it again.
        </p>
      </ConfirmDialog>
    </div>
  );
}
