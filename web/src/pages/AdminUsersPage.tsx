import { useState } from 'react';
import {
  ClinicMembersDocument,
  CreateUserDocument,
  DisableUserDocument,
  EnableUserDocument,
  GrantMembershipDocument,
  ResetUserPasswordDocument,
  RevokeMembershipDocument,
  type ClinicMembersQuery,
  type Role,
} from '../api/generated';
import { useMutation, useQuery } from '../api/use-query';
import { useClinic, useSession } from '../app/session';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice, Loading, PageTitle, StatusNotice } from '../components/Notices';
import { ROLE_LABEL } from '../lib/format';

const ROLES: Role[] = ['ADMIN', 'EMBRYOLOGIST', 'CLINICIAN', 'AUDITOR'];
type Member = ClinicMembersQuery['clinicMembers'][number];

const RoleOptions = () =>
  ROLES.map((r) => (
    <option key={r} value={r}>
      {ROLE_LABEL[r]}
    </option>
  ));

/** The clinic's users and their roles: create a user, change a role (grant), remove from the clinic (revoke). */
export function AdminUsersPage() {
  const { clinic } = useClinic();
  const session = useSession();
  const clinicId = clinic?.id ?? '';
  const members = useQuery(ClinicMembersDocument, { clinicId }, { skip: !clinic });
  const grant = useMutation(GrantMembershipDocument);
  const revoke = useMutation(RevokeMembershipDocument);
  const reset = useMutation(ResetUserPasswordDocument);
  const disable = useMutation(DisableUserDocument);
  const enable = useMutation(EnableUserDocument);
  const [revoking, setRevoking] = useState<Member | undefined>();
  const [resetting, setResetting] = useState<Member | undefined>();
  const [disabling, setDisabling] = useState<Member | undefined>();
  const [temporary, setTemporary] = useState<{ email: string; password: string } | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const meId = session.status === 'signed-in' ? session.me.id : undefined;

  const roleIn = (m: Member) => m.memberships.find((ms) => ms.clinic.id === clinicId)?.role;

  return (
    <section className="page">
      <PageTitle title="Users">Users of {clinic?.name}</PageTitle>
      <ErrorNotice
        error={members.error ?? grant.error ?? revoke.error ?? reset.error ?? disable.error ?? enable.error}
      />
      <StatusNotice message={message} />
      {temporary && (
        <p className="notice" role="status" data-testid="temporary-password">
          Temporary password of {temporary.email} (shown once; they choose their own at the next sign-in):{' '}
          <code>{temporary.password}</code>
        </p>
      )}
      <CreateUserForm
        clinicId={clinicId}
        onCreated={(email) => {
          // the same answer whether the address was new or already had an account elsewhere (then it is an invitation)
          setMessage(
            `${email} is added to ${clinic?.name}. If that address already had an account in another clinic, it was invited instead and appears here once it accepts.`,
          );
          members.reload();
        }}
      />
      {members.loading && !members.data && <Loading what="users" />}
      {members.data && (
        <table className="table" data-testid="members-table">
          <caption className="visually-hidden">Users with a role in {clinic?.name}</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Role</th>
              <th scope="col">Account</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {members.data.clinicMembers.map((m) => (
              <tr key={m.id}>
                <th scope="row">
                  {m.email}
                  {m.displayName && <div className="muted small">{m.displayName}</div>}
                </th>
                <td>
                  <label>
                    <span className="visually-hidden">Role of {m.email}</span>
                    <select
                      value={roleIn(m) ?? ''}
                      disabled={grant.running}
                      onChange={async (e) => {
                        const role = e.target.value as Role;
                        if (await grant.run({ clinicId, userId: m.id, role })) {
                          setMessage(`${m.email} is now ${ROLE_LABEL[role].toLowerCase()}.`);
                          members.reload();
                        }
                      }}
                    >
                      <RoleOptions />
                    </select>
                  </label>
                </td>
                <td>
                  {m.disabled ? <span className="tag tag--danger">disabled</span> : 'active'}
                  {m.networkAdmin && <span className="tag tag--neutral">network admin</span>}
                </td>
                <td>
                  <button
                    type="button"
                    className="button button--quiet"
                    onClick={() => setRevoking(m)}
                    disabled={m.id === meId}
                  >
                    Remove from clinic…
                  </button>
                  <button
                    type="button"
                    className="button button--quiet"
                    onClick={() => setResetting(m)}
                    disabled={m.id === meId}
                  >
                    Reset password…
                  </button>
                  {m.disabled ? (
                    <button
                      type="button"
                      className="button button--quiet"
                      disabled={enable.running}
                      onClick={async () => {
                        if (await enable.run({ userId: m.id })) {
                          setMessage(`${m.email} can sign in again.`);
                          members.reload();
                        }
                      }}
                    >
                      Enable
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="button button--quiet"
                      onClick={() => setDisabling(m)}
                      disabled={m.id === meId}
                    >
                      Disable…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={resetting !== undefined}
        title="Reset the password?"
        confirmLabel="Reset password"
        danger
        onCancel={() => setResetting(undefined)}
        onConfirm={async () => {
          const m = resetting!;
          setResetting(undefined);
          const result = await reset.run({ userId: m.id });
          if (result) setTemporary({ email: m.email, password: result.resetUserPassword.temporaryPassword });
        }}
      >
        <p>
          {resetting?.email} is signed out everywhere and gets a temporary password, which you pass on; it allows
          nothing but choosing a new one.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={disabling !== undefined}
        title="Disable the account?"
        confirmLabel="Disable"
        danger
        onCancel={() => setDisabling(undefined)}
        onConfirm={async () => {
          const m = disabling!;
          setDisabling(undefined);
          if (await disable.run({ userId: m.id })) {
            setMessage(`${m.email} is disabled and signed out everywhere.`);
            members.reload();
          }
        }}
      >
        <p>
          {disabling?.email} cannot sign in, and every session of theirs ends at once, until you enable the account.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={revoking !== undefined}
        title="Remove from the clinic?"
        confirmLabel="Remove"
        danger
        onCancel={() => setRevoking(undefined)}
        onConfirm={async () => {
          const m = revoking!;
          setRevoking(undefined);
          if (await revoke.run({ clinicId, userId: m.id })) {
            setMessage(`${m.email} no longer has a role in ${clinic?.name}.`);
            members.reload();
          }
        }}
      >
        <p>
          {revoking?.email} loses access to every record of {clinic?.name}. The account itself stays.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function CreateUserForm({ clinicId, onCreated }: { clinicId: string; onCreated(email: string): void }) {
  const create = useMutation(CreateUserDocument);
  return (
    <details className="card">
      <summary>Create a user</summary>
      <form
        className="form form--grid"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const password = String(f.get('password') ?? '');
          const result = await create.run({
            input: {
              clinicId,
              email: String(f.get('email')),
              displayName: String(f.get('displayName') ?? '') || null,
              role: f.get('role') as Role,
              password: password || null,
            },
          });
          if (result) {
            form.reset();
            onCreated(result.createUser.email);
          }
        }}
      >
        <label>
          E-mail
          <input name="email" type="email" required autoComplete="off" />
        </label>
        <label>
          Name
          <input name="displayName" type="text" autoComplete="off" />
        </label>
        <label>
          Role
          <select name="role" defaultValue="CLINICIAN">
            <RoleOptions />
          </select>
        </label>
        <label>
          Password (at least 12 characters; leave empty for sign-in through the hospital's identity provider only)
          <input name="password" type="password" minLength={12} autoComplete="new-password" />
        </label>
        <button type="submit" className="button button--primary" disabled={create.running}>
          Create user
        </button>
        <ErrorNotice error={create.error} />
      </form>
    </details>
  );
}
