import { lazy, type ReactNode, Suspense } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { ApiClientsPage } from '../pages/ApiClientsPage';
import { AssignmentsPage } from '../pages/AssignmentsPage';
import { AttendancePage } from '../pages/AttendancePage';
import { AuditPage } from '../pages/AuditPage';
import { BatchDetailPage } from '../pages/BatchDetailPage';
import { BatchesPage } from '../pages/BatchesPage';
import { BookSessionsPage } from '../pages/BookSessionsPage';
import { CertificatesPage } from '../pages/CertificatesPage';
import { ChangePasswordPage } from '../pages/ChangePasswordPage';
import { CompliancePage } from '../pages/CompliancePage';
import { CourseEditorPage } from '../pages/CourseEditorPage';
import { CourseEnrolmentsPage } from '../pages/CourseEnrolmentsPage';
import { CoursesPage } from '../pages/CoursesPage';
import { ForgotPasswordPage } from '../pages/ForgotPasswordPage';
import { GradingQueuePage } from '../pages/GradingQueuePage';
import { ImportUsersPage } from '../pages/ImportUsersPage';
import { JobsPage } from '../pages/JobsPage';
import { JoinPage } from '../pages/JoinPage';
import { LearningPage } from '../pages/LearningPage';
import { ContinueLearning, CourseOutlinePage, LessonViewerPage } from '../pages/LessonViewerPage';
import { LoginPage } from '../pages/LoginPage';
import { NotFoundPage } from '../pages/NotFoundPage';
import { NotificationsPage } from '../pages/NotificationsPage';
import { PreferencesPage } from '../pages/PreferencesPage';
import { ProfilePage } from '../pages/ProfilePage';
import { ReportsPage } from '../pages/ReportsPage';
import { RoomsPage } from '../pages/RoomsPage';
import { SessionDetailPage } from '../pages/SessionDetailPage';
import { SessionsPage } from '../pages/SessionsPage';
import { SetPasswordPage } from '../pages/SetPasswordPage';
import { SkillMatrixPage } from '../pages/SkillMatrixPage';
import { SkillsPage } from '../pages/SkillsPage';
import { SsoPage } from '../pages/SsoPage';
import { TraineeHomePage } from '../pages/TraineeHomePage';
import { TrainerTraineesPage } from '../pages/TrainerTraineesPage';
import { UserDetailPage } from '../pages/UserDetailPage';
import { UsersPage } from '../pages/UsersPage';
import { VerifyCertificatePage } from '../pages/VerifyCertificatePage';
import { WebhooksPage } from '../pages/WebhooksPage';
import { Loading } from '../ui/states';
import { Home, RequireAuth, RequireRole } from './guards';
import { Layout } from './Layout';

// The chart library is the largest dependency: only the pages with charts load it.
const DashboardPage = lazy(() => import('../pages/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const AnalyticsPage = lazy(() => import('../pages/AnalyticsPage').then((m) => ({ default: m.AnalyticsPage })));
// The calendar component comes with the calendar page only.
const CalendarPage = lazy(() => import('../pages/CalendarPage').then((m) => ({ default: m.CalendarPage })));
const later = (page: ReactNode) => <Suspense fallback={<Loading />}>{page}</Suspense>;

const admin = ['admin'] as const;
const staff = ['admin', 'trainer'] as const;

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  // A mailed invitation or reset link opens this page, its token in the fragment.
  { path: '/set-password', element: <SetPasswordPage /> },
  // The identity provider's sign-in ends here, a one-time code in the fragment.
  { path: '/sso', element: <SsoPage /> },
  // A certificate's QR code opens this page: anyone may check a code, signed in or not.
  { path: '/verify/:code', element: <VerifyCertificatePage /> },
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
      { path: 'notifications', element: <NotificationsPage /> },
      { path: 'certificates', element: <CertificatesPage /> },
      {
        path: 'compliance',
        element: (
          <RequireRole roles={[...staff]}>
            <CompliancePage />
          </RequireRole>
        ),
      },
      // Every notification mail links here (List-Unsubscribe and "manage your notifications").
      { path: 'preferences', element: <PreferencesPage /> },
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
      // Every role: staff see the catalogue, a trainee the published courses they are enrolled in.
      { path: 'courses', element: <CoursesPage /> },
      {
        path: 'courses/:id/edit',
        element: (
          <RequireRole roles={[...staff]}>
            <CourseEditorPage />
          </RequireRole>
        ),
      },
      {
        path: 'courses/:id/enrolments',
        element: (
          <RequireRole roles={[...staff]}>
            <CourseEnrolmentsPage />
          </RequireRole>
        ),
      },
      {
        path: 'learning',
        element: (
          <RequireRole roles={['trainee']}>
            <LearningPage />
          </RequireRole>
        ),
      },
      {
        path: 'learning/:courseId',
        element: (
          <RequireRole roles={['trainee']}>
            <CourseOutlinePage />
          </RequireRole>
        ),
      },
      {
        path: 'learning/:courseId/next',
        element: (
          <RequireRole roles={['trainee']}>
            <ContinueLearning />
          </RequireRole>
        ),
      },
      {
        path: 'learning/:courseId/lessons/:lessonId',
        element: (
          <RequireRole roles={['trainee']}>
            <LessonViewerPage />
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
        path: 'imports',
        element: (
          <RequireRole roles={[...admin]}>
            <ImportUsersPage />
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
      { path: 'skills', element: <SkillsPage /> },
      {
        path: 'skills/matrix',
        element: (
          <RequireRole roles={[...staff]}>
            <SkillMatrixPage />
          </RequireRole>
        ),
      },
      {
        path: 'users/:id',
        element: (
          <RequireRole roles={[...staff]}>
            <UserDetailPage />
          </RequireRole>
        ),
      },
      {
        path: 'grading',
        element: (
          <RequireRole roles={[...staff]}>
            <GradingQueuePage />
          </RequireRole>
        ),
      },
      {
        path: 'batches',
        element: (
          <RequireRole roles={[...staff]}>
            <BatchesPage />
          </RequireRole>
        ),
      },
      {
        path: 'api-clients',
        element: (
          <RequireRole roles={[...admin]}>
            <ApiClientsPage />
          </RequireRole>
        ),
      },
      {
        path: 'batches/:id',
        element: (
          <RequireRole roles={[...staff]}>
            <BatchDetailPage />
          </RequireRole>
        ),
      },
      {
        path: 'webhooks',
        element: (
          <RequireRole roles={[...admin]}>
            <WebhooksPage />
          </RequireRole>
        ),
      },
      {
        path: 'rooms',
        element: (
          <RequireRole roles={[...admin]}>
            <RoomsPage />
          </RequireRole>
        ),
      },
      {
        path: 'book',
        element: (
          <RequireRole roles={['trainee']}>
            <BookSessionsPage />
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
      { path: 'calendar', element: later(<CalendarPage />) },
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
