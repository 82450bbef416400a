// The frame around every signed-in page: navigation (a landmark, reachable with Tab), the
// signed-in user and sign-out, and the page's content.
import { NavLink, Outlet } from 'react-router-dom';
import { useSession } from '../auth/session';

const NAV: { to: string; label: string }[] = [
  { to: '/incidents', label: 'Incidents' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/hunting', label: 'Advanced hunting' },
  { to: '/actions', label: 'Action center' },
  { to: '/devices', label: 'Devices' },
  { to: '/users', label: 'Users' },
  { to: '/indicators', label: 'Indicators' },
  { to: '/settings', label: 'Settings' },
];

export function Layout() {
  const { user, logout } = useSession();
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <img src="/favicon.svg" alt="" width={22} height={22} /> Vigil
        </span>
        <span className="topbar-spacer" />
        {user && (
          <span className="who" title={`role: ${user.role}`}>
            {user.name} <span className="muted">({user.role})</span>
          </span>
        )}
        <button type="button" className="btn btn-quiet" onClick={logout}>
          Sign out
        </button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {NAV.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} className={({ isActive }) => (isActive ? 'active' : undefined)}>
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      <div className="page-actions">{children}</div>
    </div>
  );
}
