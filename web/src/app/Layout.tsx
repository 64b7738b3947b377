import type { ReactNode } from 'react';
import { InvitationsNotice } from '../components/InvitationsNotice';
import { ROLE_LABEL } from '../lib/format';
import { mayOpen, type PageAccess } from './permissions';
import { Link, useLocation } from './router';
import { chooseClinic, signOut, useClinic, useSession } from './session';

const NAV: { to: string; label: string; capability: PageAccess }[] = [
  { to: '/lab', label: 'Lab', capability: 'viewLab' },
  { to: '/runs', label: 'Runs', capability: 'viewRuns' },
  { to: '/models', label: 'Models', capability: 'manageModels' },
  { to: '/admin/import', label: 'Import', capability: 'manageImport' },
  { to: '/admin/safety', label: 'Safety', capability: 'manageSafety' },
  { to: '/admin/users', label: 'Users', capability: 'manageUsers' },
  { to: '/admin/agreement', label: 'Agreement', capability: 'readAgreement' },
  { to: '/admin/audit', label: 'Audit log', capability: 'readAuditLog' },
  { to: '/admin/clinics', label: 'Clinics', capability: 'networkAdmin' },
];

/** Header with the pages the caller's role in the chosen clinic may use, the clinic switch and sign-out. */
export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const { clinic, role, clinics } = useClinic();
  const { path } = useLocation();
  const me = session.status === 'signed-in' ? session.me : undefined;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          AMSNet clinic
        </Link>
        <nav aria-label="Pages">
          <ul>
            {NAV.filter((n) => mayOpen(n.capability, role, me)).map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={path.startsWith(n.to) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="app-header__who">
          {clinics.length > 1 ? (
            <label>
              <span className="visually-hidden">Clinic</span>
              <select
                value={clinic?.id ?? ''}
                onChange={(e) => chooseClinic(e.target.value)}
                data-testid="clinic-select"
              >
                {clinics.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span data-testid="clinic-name">{clinic?.name ?? 'No clinic'}</span>
          )}
          <Link to="/account" className="app-header__account" title="My account: password and sessions">
            {me?.displayName ?? me?.email}
            {role ? ` · ${ROLE_LABEL[role]}` : ''}
          </Link>
          <button type="button" className="button button--quiet" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        <InvitationsNotice />
        {children}
      </main>
    </>
  );
}
