// Routes of the console. Every page but the login is behind the session; the heavy pages
// (hunting with Monaco, the incident page with its graph) are loaded on demand so the first
// load stays small.
import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { SessionProvider, useSession } from './auth/session';
import { Layout } from './components/Layout';
import { Loading } from './components/States';
import { LoginPage } from './pages/login/LoginPage';

const IncidentsPage = lazy(() => import('./pages/incidents/IncidentsPage'));
const IncidentPage = lazy(() => import('./pages/incidents/IncidentPage'));
const AlertsPage = lazy(() => import('./pages/alerts/AlertsPage'));
const AlertPage = lazy(() => import('./pages/alerts/AlertPage'));
const HuntingPage = lazy(() => import('./pages/hunting/HuntingPage'));
const ActionCenterPage = lazy(() => import('./pages/actions/ActionCenterPage'));
const DevicesPage = lazy(() => import('./pages/devices/DevicesPage'));
const DevicePage = lazy(() => import('./pages/devices/DevicePage'));
const UsersPage = lazy(() => import('./pages/users/UsersPage'));
const UserPage = lazy(() => import('./pages/users/UserPage'));
const IndicatorsPage = lazy(() => import('./pages/indicators/IndicatorsPage'));
const SettingsPage = lazy(() => import('./pages/settings/SettingsPage'));

function NotFound() {
  return (
    <div className="state state-empty">
      This page does not exist. <a href="/incidents">Go to the incidents</a>.
    </div>
  );
}

function SignedIn() {
  const { user, checking } = useSession();
  if (checking) return <Loading what="Checking your session" />;
  if (!user) return <LoginPage />;
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<Navigate to="/incidents" replace />} />
          <Route path="incidents" element={<IncidentsPage />} />
          <Route path="incidents/:id" element={<IncidentPage />} />
          <Route path="alerts" element={<AlertsPage />} />
          <Route path="alerts/:id" element={<AlertPage />} />
          <Route path="hunting" element={<HuntingPage />} />
          <Route path="actions" element={<ActionCenterPage />} />
          <Route path="devices" element={<DevicesPage />} />
          <Route path="devices/:id" element={<DevicePage />} />
          <Route path="users" element={<UsersPage />} />
          <Route path="users/:id" element={<UserPage />} />
          <Route path="indicators" element={<IndicatorsPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <SignedIn />
      </BrowserRouter>
    </SessionProvider>
  );
}
