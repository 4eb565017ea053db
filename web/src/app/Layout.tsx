import { useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { api } from '../api/client';
import type { Role } from '../api/types';
import { auth, takeProviderSignIn, useAuth, useMe } from '../auth/session';
import { describeTimeZone } from '../lib/time';
import { LiveIndicator } from '../realtime/LiveProvider';
import { NotificationBell } from './NotificationBell';

/** `end`: active on that very page only (another item's page lies under it). */
const NAV: Record<Role, { to: string; label: string; end?: boolean }[]> = {
  admin: [
    { to: '/dashboard', label: 'Dashboard' },
    { to: '/users', label: 'Users' },
    { to: '/imports', label: 'Import users' },
    { to: '/sessions', label: 'Sessions' },
    { to: '/calendar', label: 'Calendar' },
    { to: '/courses', label: 'Courses' },
    { to: '/batches', label: 'Batches' },
    { to: '/skills', label: 'Skills', end: true },
    { to: '/skills/matrix', label: 'Skills matrix' },
    { to: '/grading', label: 'Grading' },
    { to: '/certificates', label: 'Certificates' },
    { to: '/compliance', label: 'Compliance' },
    { to: '/rooms', label: 'Rooms' },
    { to: '/assignments', label: 'Assignments' },
    { to: '/analytics', label: 'Analytics' },
    { to: '/reports', label: 'Reports' },
    { to: '/audit', label: 'Audit log' },
    { to: '/jobs', label: 'Background jobs' },
    { to: '/api-clients', label: 'API clients' },
    { to: '/webhooks', label: 'Webhooks' },
  ],
  trainer: [
    { to: '/sessions', label: 'My sessions' },
    { to: '/calendar', label: 'Calendar' },
    { to: '/courses', label: 'Courses' },
    { to: '/batches', label: 'My batches' },
    { to: '/grading', label: 'Grading' },
    { to: '/trainees', label: 'My trainees' },
    { to: '/skills', label: 'Skills', end: true },
    { to: '/skills/matrix', label: 'Skills matrix' },
    { to: '/compliance', label: 'Compliance' },
  ],
  trainee: [
    { to: '/my', label: 'My training' },
    { to: '/calendar', label: 'Calendar' },
    { to: '/learning', label: 'My learning' },
    { to: '/book', label: 'Book a session' },
    { to: '/skills', label: 'Skills', end: true },
    { to: '/certificates', label: 'My certificates' },
  ],
};

export async function signOut(): Promise<void> {
  try {
    await api.POST('/auth/logout');
  } catch {
    /* the sign-in ends locally whatever the server says */
  }
  auth.signOut('You have signed out.');
  // A provider's sign-in is ended at the provider too (the server sends the browser there).
  if (takeProviderSignIn()) window.location.assign('/auth/oidc/logout');
}

export function Layout() {
  const me = useMe();
  const { mustChangePassword } = useAuth();
  const location = useLocation();
  // The menu is open on the page where it was opened: following a link closes it.
  const [menuOpenAt, setMenuOpenAt] = useState<string | null>(null);
  const menuOpen = menuOpenAt === location.pathname;

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-row">
          <NavLink to="/" className="brand">
            TMS
          </NavLink>
          <LiveIndicator />
          {/* Until a temporary password is changed the server answers nothing else (403). */}
          {mustChangePassword ? null : <NotificationBell />}
          <button
            type="button"
            className="menu-button"
            aria-expanded={menuOpen}
            aria-controls="main-nav"
            onClick={() => setMenuOpenAt(menuOpen ? null : location.pathname)}
          >
            Menu
          </button>
        </div>
        <nav id="main-nav" aria-label="Main" className={menuOpen ? 'nav nav-open' : 'nav'}>
          <ul>
            {NAV[me.role].map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
          <div className="nav-user">
            <NavLink to="/profile" className="nav-profile">
              <span className="visually-hidden">Profile: </span>
              {me.name || me.username} <span className="role-tag">({me.role})</span>
            </NavLink>
            <button type="button" className="button button-quiet" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="footer">
        <span data-testid="time-zone">Times are shown in {describeTimeZone()}.</span>
      </footer>
    </div>
  );
}
