import { lazy, type ReactNode, Suspense } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { AssignmentsPage } from '../pages/AssignmentsPage';
import { AttendancePage } from '../pages/AttendancePage';
import { AuditPage } from '../pages/AuditPage';
import { ChangePasswordPage } from '../pages/ChangePasswordPage';
import { ForgotPasswordPage } from '../pages/ForgotPasswordPage';
import { JobsPage } from '../pages/JobsPage';
import { JoinPage } from '../pages/JoinPage';
import { LoginPage } from '../pages/LoginPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { ProfilePage } from '../pages/ProfilePage';
import { ReportsPage } from '../pages/ReportsPage';
import { SessionDetailPage } from '../pages/SessionDetailPage';
import { SessionsPage } from '../pages/SessionsPage';
import { SetPasswordPage } from '../pages/SetPasswordPage';
import { TraineeHomePage } from '../pages/TraineeHomePage';
import { TrainerTraineesPage } from '../pages/TrainerTraineesPage';
import { UsersPage } from '../pages/UsersPage';
import { Loading } from '../ui/states';
import { Home, RequireAuth, RequireRole } from './guards';
import { Layout } from './Layout';

// The chart library is the largest dependency: only the pages with charts load it.
const DashboardPage = lazy(() => import('../pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const AnalyticsPage = lazy(() => import('../pages/AnalyticsPage').then((m) => ({ default: m.AnalyticsPage })));
const later = (page: ReactNode) => <Suspense fallback={<Loading />}>{page}</Suspense>;

const admin = ['admin'] as const;
const staff = ['admin', 'trainer'] as const;

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  // A mailed invitation or reset link opens this page, its token in the fragment.
  { path: '/set-password', element: <SetPasswordPage /> },
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
      {
        path: 'users',
        element: (
          <RequireRole roles={[...admin]}>
            <UsersPage />
          </RequireRole>
        ),
      },
      {
        path: 'sessions',
        element: (
          <RequireRole roles={[...staff]}>
            <SessionsPage />
          </RequireRole>
        ),
      },
      {
        path: 'sessions/:id',
        element: (
          <RequireRole roles={[...staff]}>
            <SessionDetailPage />
          </RequireRole>
        ),
      },
      {
        path: 'sessions/:id/attendance',
        element: (
          <RequireRole roles={[...staff]}>
            <AttendancePage />
          </RequireRole>
        ),
      },
      {
        path: 'assignments',
        element: (
          <RequireRole roles={[...admin]}>
            <AssignmentsPage />
          </RequireRole>
        ),
      },
      { path: 'analytics', element: <RequireRole roles={[...admin]}>{later(<AnalyticsPage />)}</RequireRole> },
      {
        path: 'reports',
        element: (
          <RequireRole roles={[...admin]}>
            <ReportsPage />
          </RequireRole>
        ),
      },
      {
        path: 'audit',
        element: (
          <RequireRole roles={[...admin]}>
            <AuditPage />
          </RequireRole>
        ),
      },
      {
        path: 'jobs',
        element: (
          <RequireRole roles={[...admin]}>
            <JobsPage />
          </RequireRole>
        ),
      },
      {
        path: 'trainees',
        element: (
          <RequireRole roles={['trainer']}>
            <TrainerTraineesPage />
          </RequireRole>
        ),
      },
      {
        path: 'my',
        element: (
          <RequireRole roles={['trainee']}>
            <TraineeHomePage />
          </RequireRole>
        ),
      },
      {
        path: 'join/:link',
        element: (
          <RequireRole roles={['trainee']}>
            <JoinPage />
          </RequireRole>
        ),
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export function createAppRouter() {
  return createBrowserRouter(routes, { basename: '/app' });
}
