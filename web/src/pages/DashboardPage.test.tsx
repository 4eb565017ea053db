import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Overview } from '../api/types';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { AnalyticsPage } from './AnalyticsPage';
import { DashboardPage } from './DashboardPage';

const admin = makeUser();

const empty: Overview = {
  users_by_role: { admin: 0, trainer: 0, trainee: 0 },
  sessions_by_status: { scheduled: 0, completed: 0, cancelled: 0 },
  attendance_rate: 0,
  trainers: [],
  upcoming: [],
  trainees_without_sessions: 0,
  courses: { published: 0, enrolments: 0, completion_rate: 0 },
};

const busy: Overview = {
  users_by_role: { admin: 1, trainer: 2, trainee: 9 },
  sessions_by_status: { scheduled: 4, completed: 3, cancelled: 1 },
  attendance_rate: 75,
  trainers: [
    { trainer_id: 2, name: 'Tom Trainer', sessions: 5, hours: 4.5, attendance_rate: 0 },
    { trainer_id: 3, name: 'Tina Trainer', sessions: 2, hours: 0, attendance_rate: 0 },
  ],
  upcoming: [],
  trainees_without_sessions: 2,
  courses: { published: 3, enrolments: 120, completion_rate: 37.5 },
};

function figure(name: string): HTMLElement {
  const caption = screen.getAllByText(name, { selector: 'figcaption, figcaption *' })[0];
  return caption.closest('figure') as HTMLElement;
}

describe('DashboardPage and AnalyticsPage', () => {
  it('say what each figure counts, and how attendance differs from progress', async () => {
    signInAs(admin);
    mockFetch([
      { path: '/analytics/overview', body: busy },
      { path: '/users', body: [admin] },
    ]);
    renderPage(<DashboardPage />);
    const stats = within(await screen.findByRole('list', { name: 'Key figures' }));
    expect(stats.getByText('present marks ÷ enrolments, completed sessions only')).toBeInTheDocument();
    expect(stats.getByText('not yet completed or cancelled, past or future')).toBeInTheDocument();
    expect(screen.getByTestId('figures-note')).toHaveTextContent(
      'counts every session they are enrolled in, upcoming ones included',
    );
    expect(figure('Sessions by status')).toHaveTextContent('Every session, past and future, by its status.');
    expect(figure('Users by role')).toHaveTextContent('Every account.');
  });

  it('say so when a chart has nothing to draw, instead of drawing empty axes', async () => {
    signInAs(admin);
    mockFetch([
      { path: '/analytics/overview', body: empty },
      { path: '/users', body: [admin] },
    ]);
    const { container } = renderPage(<DashboardPage />);
    expect(await screen.findByText('No sessions yet.')).toBeVisible();
    expect(screen.getByText('No users yet.')).toBeVisible();
    expect(container.querySelector('.recharts-wrapper, .chart-box')).toBeNull();
  });

  it('on analytics, an all-zero chart says so and the counted ones are labelled', async () => {
    signInAs(admin);
    mockFetch([{ path: '/analytics/overview', body: busy }]);
    const { container } = renderPage(<AnalyticsPage />);
    const rates = await screen.findByText('No completed session has a present mark yet.');
    expect(rates.closest('figure')).toHaveTextContent('Attendance rate per trainer (%)');
    expect(figure('Sessions and hours per trainer')).toHaveTextContent('Hours: completed sessions only.');
    expect(screen.getByTestId('figures-note')).toHaveTextContent('Attendance here counts completed sessions only.');
    // The charts with something to draw still draw it.
    expect(container.querySelectorAll('.chart-box').length).toBe(3);
  });

  it('on analytics, shows the course figures: published, enrolments and completed', async () => {
    signInAs(admin);
    mockFetch([{ path: '/analytics/overview', body: busy }]);
    renderPage(<AnalyticsPage />);
    const courses = within(await screen.findByRole('list', { name: 'Course figures' }));
    const value = (label: string) => courses.getByText(label).closest('li')?.querySelector('.stat-value')?.textContent;
    expect(value('published courses')).toBe('3');
    expect(value('course enrolments')).toBe('120');
    expect(value('completed')).toBe('37.5%');
  });

  it('on analytics, no courses yet shows zeros, not blanks', async () => {
    signInAs(admin);
    mockFetch([{ path: '/analytics/overview', body: empty }]);
    renderPage(<AnalyticsPage />);
    const courses = within(await screen.findByRole('list', { name: 'Course figures' }));
    expect(courses.getByText('published courses').closest('li')).toHaveTextContent('0published courses');
    expect(courses.getByText('completed').closest('li')).toHaveTextContent('0.0%completed');
  });
});
