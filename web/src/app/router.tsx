import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { Loading } from '../ui/states';
import { Layout } from './Layout';
import { Home, RequireAuth, RequireRole } from './guards';
import { LoginPage } from '../pages/LoginPage';
import { ChangePasswordPage } from '../pages/ChangePasswordPage';
import { ProfilePage } from '../pages/ProfilePage';
import { UsersPage } from '../pages/UsersPage';
import { SessionsPage } from '../pages/SessionsPage';
import { SessionDetailPage } from '../pages/SessionDetailPage';
import { AttendancePage } from '../pages/AttendancePage';
import { AssignmentsPage } from '../pages/AssignmentsPage';
import { ReportsPage } from '../pages/ReportsPage';
import { AuditPage } from '../pages/AuditPage';
import { TrainerTraineesPage } from '../pages/TrainerTraineesPage';
import { TraineeHomePage } from '../pages/TraineeHomePage';
import { JoinPage } from '../pages/JoinPage';
import { NotFoundPage } from '../pages/NotFoundPage';

// The chart library is the largest dependency: only the pages with charts load it.
const DashboardPage = lazy(() => import('../pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const AnalyticsPage = lazy(() => import('../pages/AnalyticsPage').then((m) => ({ default: m.AnalyticsPage })));
const later = (page: ReactNode) => <Suspense fallback={<Loading />}>{page}</Suspense>;

const admin = ['admin'] as const;
const staff = ['admin', 'trainer'] as const;

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <Layout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <Home /> },
      { path: 'change-password', element: <ChangePasswordPage /> },
      { path: 'profile', element: <ProfilePage /> },
      { path: 'dashboard', element: <RequireRole roles={[...admin]}>{later(<DashboardPage />)}</RequireRole> },
      { path: 'users', element: <RequireRole roles={[...admin]}><UsersPage /></RequireRole> },
      { path: 'sessions', element: <RequireRole roles={[...staff]}><SessionsPage /></RequireRole> },
      { path: 'sessions/:id', element: <RequireRole roles={[...staff]}><SessionDetailPage /></RequireRole> },
      { path: 'sessions/:id/attendance', element: <RequireRole roles={[...staff]}><AttendancePage /></RequireRole> },
      { path: 'assignments', element: <RequireRole roles={[...admin]}><AssignmentsPage /></RequireRole> },
      { path: 'analytics', element: <RequireRole roles={[...admin]}>{later(<AnalyticsPage />)}</RequireRole> },
      { path: 'reports', element: <RequireRole roles={[...admin]}><ReportsPage /></RequireRole> },
      { path: 'audit', element: <RequireRole roles={[...admin]}><AuditPage /></RequireRole> },
      { path: 'trainees', element: <RequireRole roles={['trainer']}><TrainerTraineesPage /></RequireRole> },
      { path: 'my', element: <RequireRole roles={['trainee']}><TraineeHomePage /></RequireRole> },
      { path: 'join/:link', element: <RequireRole roles={['trainee']}><JoinPage /></RequireRole> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes, { basename: '/app' });
}
