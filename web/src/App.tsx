/** Top level: the session decides between setup, login and the app; the path picks the page. */
import { type Component, lazy, Match, onMount, Suspense, Switch } from 'solid-js';
import { Dynamic } from 'solid-js/web';
import { Layout } from './components/Layout';
import { Button, ErrorText } from './components/ui';
import { DashboardPage } from './pages/Dashboard';
import { AuthFrame, LoginPage, TokenPage } from './pages/Login';
import { SetupPage } from './pages/Setup';
import { currentPath, linkClick } from './router';
import { initSession, session } from './stores/session';

const StoragePage = lazy(() => import('./pages/Storage').then((m) => ({ default: m.StoragePage })));
const BackupsPage = lazy(() => import('./pages/Backups').then((m) => ({ default: m.BackupsPage })));
const BackupCoveragePage = lazy(() =>
  import('./pages/BackupCoverage').then((m) => ({ default: m.BackupCoveragePage })),
);
const PbsPage = lazy(() => import('./pages/Pbs').then((m) => ({ default: m.PbsPage })));
const MailPage = lazy(() => import('./pages/Mail').then((m) => ({ default: m.MailPage })));
const DockerPage = lazy(() => import('./pages/Docker').then((m) => ({ default: m.DockerPage })));
const AlertsPage = lazy(() => import('./pages/Alerts').then((m) => ({ default: m.AlertsPage })));
const SettingsPage = lazy(() => import('./pages/settings/Settings').then((m) => ({ default: m.SettingsPage })));

const ROUTES: Array<[RegExp, Component]> = [
  [/^\/$/, DashboardPage],
  [/^\/storage\/?$/, StoragePage],
  [/^\/backups\/?$/, BackupsPage],
  [/^\/backups\/coverage\/?$/, BackupCoveragePage],
  [/^\/pbs\/?$/, PbsPage],
  [/^\/mail\/?$/, MailPage],
  [/^\/docker\/?$/, DockerPage],
  [/^\/alerts(\/.*)?$/, AlertsPage],
  [/^\/settings(\/.*)?$/, SettingsPage],
];

function NotFound() {
  return (
    <div class="py-10 text-center">
      <h1 class="text-lg font-semibold">Page not found</h1>
      <p class="mt-2 text-sm">
        <a href="/" onClick={linkClick} class="text-sky-600 underline">
          Back to the dashboard
        </a>
      </p>
    </div>
  );
}

function Page() {
  const page = () => ROUTES.find(([re]) => re.test(currentPath()))?.[1] ?? NotFound;
  return (
    <Suspense fallback={<p class="p-4 text-sm text-slate-500">Loading…</p>}>
      <Dynamic component={page()} />
    </Suspense>
  );
}

export function App() {
  onMount(() => void initSession());
  return (
    <Switch>
      <Match when={session.phase() === 'loading'}>
        <p class="p-6 text-sm text-slate-500" role="status">
          Connecting to Pulse…
        </p>
      </Match>
      <Match when={session.phase() === 'error'}>
        <AuthFrame title="Pulse is not reachable">
          <ErrorText error={session.startError()} />
          <Button class="mt-3" onClick={() => void initSession()}>
            Try again
          </Button>
        </AuthFrame>
      </Match>
      <Match when={session.phase() === 'setup'}>
        <SetupPage />
      </Match>
      <Match when={session.phase() === 'login'}>
        <LoginPage />
      </Match>
      <Match when={session.phase() === 'token'}>
        <TokenPage />
      </Match>
      <Match when={session.phase() === 'ready'}>
        <Layout>
          <Page />
        </Layout>
      </Match>
    </Switch>
  );
}
