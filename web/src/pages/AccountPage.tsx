import { useState } from 'react';
import { MySessionsDocument } from '../api/generated';
import { useQuery } from '../api/use-query';
import { changeOwnPassword, signOutEverywhere, useSession } from '../app/session';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice, Loading, PageTitle, StatusNotice } from '../components/Notices';
import { formatDateTime } from '../lib/format';

/** The signed-in user's own account: password, sessions, and signing out on every device. */
export function AccountPage() {
  const session = useSession();
  const sessions = useQuery(MySessionsDocument, {});
  const [message, setMessage] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [confirming, setConfirming] = useState(false);
  if (session.status !== 'signed-in') return null;
  const { me, method } = session;

  return (
    <section className="page">
      <PageTitle title="My account">My account</PageTitle>
      <p className="facts">
        <span>{me.email}</span>
        {me.displayName && <span>{me.displayName}</span>}
        {me.networkAdmin && <span className="tag tag--neutral">network admin</span>}
      </p>
      <StatusNotice message={message} />
      {problem && (
        <p className="notice notice--error" role="alert">
          {problem}
        </p>
      )}
      {method === 'password' ? (
        <div className="card">
          <h2>Password</h2>
          <form
            className="form form--grid"
            aria-label="Change your password"
            onSubmit={async (e) => {
              e.preventDefault();
              const form = e.currentTarget;
              const f = new FormData(form);
              const error = await changeOwnPassword(
                String(f.get('current')),
                String(f.get('next')),
                String(f.get('repeated')),
              );
              setProblem(error);
              setMessage(error ? undefined : 'Your password is changed; every other session of yours has ended.');
              if (!error) {
                form.reset();
                sessions.reload();
              }
            }}
          >
            <label>
              Current password
              <input name="current" type="password" required autoComplete="current-password" />
            </label>
            <label>
              New password (at least 12 characters)
              <input name="next" type="password" required minLength={12} autoComplete="new-password" />
            </label>
            <label>
              New password again
              <input name="repeated" type="password" required minLength={12} autoComplete="new-password" />
            </label>
            <button type="submit" className="button button--primary">
              Change password
            </button>
          </form>
        </div>
      ) : (
        <p className="muted">
          You signed in through the hospital&apos;s identity provider: your password is kept there.
        </p>
      )}
      <div className="card">
        <h2>Your sessions</h2>
        <ErrorNotice error={sessions.error} />
        {sessions.loading && !sessions.data && <Loading what="your sessions" />}
        {sessions.data && (
          <table className="table" data-testid="my-sessions">
            <caption className="visually-hidden">Your sessions, with where they signed in from</caption>
            <thead>
              <tr>
                <th scope="col">Signed in</th>
                <th scope="col">From</th>
                <th scope="col">Last renewed</th>
                <th scope="col">Ends</th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.mySessions.map((s) => (
                <tr key={s.id}>
                  <th scope="row" className="nowrap">
                    {formatDateTime(s.signedInAt)} {s.current && <span className="tag tag--ok">this one</span>}
                  </th>
                  <td className="mono">{s.address ?? '—'}</td>
                  <td className="nowrap">{formatDateTime(s.refreshedAt)}</td>
                  <td className="nowrap">{formatDateTime(s.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <button type="button" className="button button--danger" onClick={() => setConfirming(true)}>
            Sign out everywhere…
          </button>
        </p>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        danger
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          setConfirming(false);
          setProblem(await signOutEverywhere());
        }}
      >
        <p>Every session of yours ends at once, this one included: on a lost or shared device too.</p>
      </ConfirmDialog>
    </section>
  );
}
