import { useState, type FormEvent } from 'react';
import { PageTitle, StatusNotice } from '../components/Notices';
import { chooseNewPassword, MUST_CHANGE_PASSWORD, signInWithPassword, signInWithToken } from '../app/session';

/**
 * E-mail and password, or a bearer token of the hospital's identity provider (OIDC). Sites that
 * put their IdP's login in front of the server (a reverse proxy adding the token) never see this
 * page: see README, "Signing in through the hospital's identity provider".
 */
export function SignInPage({ message }: { message?: string }) {
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [mustChange, setMustChange] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>, run: (form: FormData) => Promise<string | undefined>) => {
    event.preventDefault();
    setBusy(true);
    const outcome = await run(new FormData(event.currentTarget));
    setMustChange(outcome === MUST_CHANGE_PASSWORD || (mustChange && outcome !== undefined));
    setError(outcome === MUST_CHANGE_PASSWORD ? undefined : outcome);
    setBusy(false);
  };

  if (mustChange)
    return (
      <main id="main" className="sign-in">
        <PageTitle title="Choose a new password">AMSNet clinic</PageTitle>
        <p className="muted">
          The password you signed in with was temporary. Choose your own (at least 12 characters) to continue.
        </p>
        {error && (
          <p className="notice notice--error" role="alert">
            {error}
          </p>
        )}
        <form
          className="card form"
          onSubmit={(e) => submit(e, (f) => chooseNewPassword(String(f.get('new')), String(f.get('repeat'))))}
        >
          <h2>Choose a new password</h2>
          <label>
            New password
            <input name="new" type="password" autoComplete="new-password" minLength={12} required autoFocus />
          </label>
          <label>
            New password again
            <input name="repeat" type="password" autoComplete="new-password" minLength={12} required />
          </label>
          <button className="button button--primary" type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save and sign in'}
          </button>
        </form>
      </main>
    );

  return (
    <main id="main" className="sign-in">
      <PageTitle title="Sign in">AMSNet clinic</PageTitle>
      <p className="muted">Embryo time-lapse scoring for the IVF laboratory.</p>
      <StatusNotice message={message} />
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
      <form
        className="card form"
        onSubmit={(e) => submit(e, (f) => signInWithPassword(String(f.get('email')), String(f.get('password'))))}
      >
        <h2>Sign in</h2>
        <label>
          E-mail
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button className="button button--primary" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <details className="card">
        <summary>Sign in with a token from the hospital's identity provider</summary>
        <form className="form" onSubmit={(e) => submit(e, (f) => signInWithToken(String(f.get('token'))))}>
          <label>
            Bearer token (OIDC ID or access token)
            <textarea name="token" rows={4} required spellCheck={false} autoComplete="off" />
          </label>
          <button className="button" type="submit" disabled={busy}>
            Use token
          </button>
        </form>
      </details>
    </main>
  );
}
