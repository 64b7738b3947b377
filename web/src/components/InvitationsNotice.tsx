import { AcceptInvitationDocument, MyInvitationsDocument } from '../api/generated';
import { useMutation, useQuery } from '../api/use-query';
import { startSession } from '../app/session';
import { ROLE_LABEL } from '../lib/format';
import { ErrorNotice } from './Notices';

/**
 * Invitations of administrators of other clinics (createUser with an address that already had an
 * account): they give a role only once the invited user accepts here.
 */
export function InvitationsNotice() {
  const invitations = useQuery(MyInvitationsDocument, {});
  const accept = useMutation(AcceptInvitationDocument);
  const pending = invitations.data?.myInvitations ?? [];
  if (pending.length === 0) return null;
  return (
    <section className="card" aria-label="Invitations" data-testid="invitations">
      <ErrorNotice error={accept.error} />
      {pending.map((invitation) => (
        <p key={invitation.id}>
          {invitation.clinic.name} invites you as {ROLE_LABEL[invitation.role].toLowerCase()}.{' '}
          <button
            type="button"
            className="button"
            disabled={accept.running}
            onClick={async () => {
              if (await accept.run({ invitationId: invitation.id })) {
                invitations.reload();
                await startSession(); // the new clinic appears in the clinic switch
              }
            }}
          >
            Accept
          </button>
        </p>
      ))}
    </section>
  );
}
