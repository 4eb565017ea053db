import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import type { Role } from '../api/types';
import { useAuth } from '../auth/session';

export function homeFor(role: Role): string {
  switch (role) {
    case 'admin':
      return '/dashboard';
    case 'trainer':
      return '/sessions';
    default:
      return '/my';
  }
}

/** Only signed-in users; a temporary password must be changed before anything else. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { token, user, mustChangePassword } = useAuth();
  const location = useLocation();
  if (!token || !user) {
    const from = location.pathname + location.search;
    return <Navigate to="/login" replace state={from !== '/' ? { from } : undefined} />;
  }
  if (mustChangePassword && location.pathname !== '/change-password') {
    return <Navigate to="/change-password" replace />;
  }
  return <>{children}</>;
}

export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { user } = useAuth();
  if (!user) return null;
  if (!roles.includes(user.role)) return <Navigate to={homeFor(user.role)} replace />;
  return <>{children}</>;
}

export function Home() {
  const { user } = useAuth();
  return <Navigate to={user ? homeFor(user.role) : '/login'} replace />;
}
