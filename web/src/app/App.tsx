import { useEffect } from 'react';
import { Loading } from '../components/Notices';
import { AccountPage } from '../pages/AccountPage';
import { AdminUsersPage } from '../pages/AdminUsersPage';
import { AgreementPage } from '../pages/AgreementPage';
import { ClinicsPage } from '../pages/ClinicsPage';
import { AuditLogPage } from '../pages/AuditLogPage';
import { CyclePage } from '../pages/CyclePage';
import { EmbryoPage } from '../pages/EmbryoPage';
import { LabPage } from '../pages/LabPage';
import { ImportPage } from '../pages/import/ImportPage';
import { ModelEvaluationPage } from '../pages/ModelEvaluationPage';
import { ModelMonitoringPage } from '../pages/ModelMonitoringPage';
import { ModelsPage } from '../pages/ModelsPage';
import { NotAllowedPage, NotFoundPage } from '../pages/NotFoundPage';
import { RunsPage } from '../pages/RunsPage';
import { SafetyPage } from '../pages/SafetyPage';
import { SignInPage } from '../pages/SignInPage';
import { Layout } from './Layout';
import { can, mayOpen, type PageAccess } from './permissions';
import { match, navigate, useLocation } from './router';
import { useClinic, useSession } from './session';

interface Route {
  pattern: string;
  capability: PageAccess;
  render(params: Record<string, string>): React.ReactNode;
}

const ROUTES: Route[] = [
  { pattern: '/lab', capability: 'viewLab', render: () => <LabPage /> },
  { pattern: '/account', capability: 'ownAccount', render: () => <AccountPage /> },
  { pattern: '/lab/cycles/:id', capability: 'viewLab', render: (p) => <CyclePage id={p.id} /> },
  { pattern: '/embryos/:id', capability: 'viewLab', render: (p) => <EmbryoPage id={p.id} /> },
  { pattern: '/runs', capability: 'viewRuns', render: () => <RunsPage /> },
  { pattern: '/models', capability: 'manageModels', render: () => <ModelsPage /> },
  { pattern: '/models/:id/evaluation', capability: 'manageModels', render: (p) => <ModelEvaluationPage id={p.id} /> },
  { pattern: '/models/:id/monitoring', capability: 'manageModels', render: (p) => <ModelMonitoringPage id={p.id} /> },
  { pattern: '/admin/import', capability: 'manageImport', render: () => <ImportPage /> },
  { pattern: '/admin/safety', capability: 'manageSafety', render: () => <SafetyPage /> },
  { pattern: '/admin/agreement', capability: 'readAgreement', render: () => <AgreementPage /> },
  { pattern: '/admin/clinics', capability: 'networkAdmin', render: () => <ClinicsPage /> },
  { pattern: '/admin/users', capability: 'manageUsers', render: () => <AdminUsersPage /> },
  { pattern: '/admin/audit', capability: 'readAuditLog', render: () => <AuditLogPage /> },
];

/** The first page a role lands on (a network admin of a network without clinics: the clinics). */
function homeOf(role: ReturnType<typeof useClinic>['role'], networkAdmin: boolean): string {
  if (can(role, 'viewLab')) return '/lab';
  if (can(role, 'readAuditLog')) return '/admin/audit';
  if (networkAdmin) return '/admin/clinics';
  return '/lab';
}

export function App() {
  const session = useSession();
  const { role } = useClinic();
  const { path } = useLocation();
  const me = session.status === 'signed-in' ? session.me : undefined;
  const networkAdmin = me?.networkAdmin === true;

  useEffect(() => {
    if (session.status === 'signed-in' && (path === '/' || path === '/sign-in'))
      navigate(homeOf(role, networkAdmin), { replace: true });
  }, [session.status, path, role, networkAdmin]);

  if (session.status === 'starting') return <Loading what="your session" />;
  if (session.status === 'signed-out') return <SignInPage message={session.message} />;

  for (const route of ROUTES) {
    const params = match(route.pattern, path);
    if (!params) continue;
    return <Layout>{mayOpen(route.capability, role, me) ? route.render(params) : <NotAllowedPage />}</Layout>;
  }
  return <Layout>{path === '/' || path === '/sign-in' ? <Loading what="the lab" /> : <NotFoundPage />}</Layout>;
}
