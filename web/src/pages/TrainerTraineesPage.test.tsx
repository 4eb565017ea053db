import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AttendanceListing, TrainerTrainee, User } from '../api/types';
import { type MockRoute, makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { TrainerTraineesPage } from './TrainerTraineesPage';

const trainer = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const ann = makeUser({ id: 5, username: 'ann', role: 'trainee', first_name: 'Ann', last_name: 'A' });
const bob = makeUser({ id: 6, username: 'bob', role: 'trainee', first_name: 'Bob', last_name: 'B' });

const row = (trainee: User): TrainerTrainee => ({
  trainee,
  sessions: [{ id: 1, title: 'Knots', created_at: '2020-01-01T09:00:00+00:00' }],
  sessions_count: 1,
  last_active: '2020-03-01T09:00:00+00:00',
  status: 'inactive',
});

const mark = (id: number, title: string, present: boolean): AttendanceListing => ({
  id,
  session: {
    id,
    title,
    description: null,
    trainer_id: 2,
    scheduled_date: `2020-03-0${id}T09:00:00+00:00`,
    duration_minutes: 60,
    status: 'completed',
    class_link: null,
    session_link: `l${id}`,
    created_at: '2020-01-01T09:00:00+00:00',
    updated_at: '2020-01-01T09:00:00+00:00',
  },
  trainee: ann,
  present,
  marked_at: `2020-03-0${id}T10:00:00+00:00`,
});

function routes(extra: MockRoute[]): MockRoute[] {
  return [
    { path: '/trainers/2/trainees', body: [row(ann), row(bob)] },
    { path: '/progress/trainer/2', body: [] },
    ...extra,
  ];
}

const traineeRow = (username: string) => screen.getByTestId(`trainee-row-${username}`);

describe('TrainerTraineesPage: a trainee’s attendance', () => {
  it('opens the marks of an assigned trainee; the others are not available and not asked for', async () => {
    signInAs(trainer);
    const { calls } = mockFetch(
      routes([
        {
          path: '/assignments',
          body: [{ id: 1, student: ann, teacher: trainer, assigned_date: '2020-01-01T09:00:00+00:00' }],
        },
        { path: '/attendance/trainee/5', body: [mark(1, 'Knots', true), mark(2, 'Ropes', false)] },
      ]),
    );
    renderPage(<TrainerTraineesPage />);
    const user = userEvent.setup();
    const toggle = await screen.findByRole('button', { name: 'Show attendance of Ann A' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(within(traineeRow('bob')).getByText(/Not available/)).toBeInTheDocument();
    expect(within(traineeRow('bob')).queryByRole('button')).not.toBeInTheDocument();
    // Nothing is fetched before the trainer asks.
    expect(calls.some((c) => c.url.pathname.startsWith('/attendance/trainee/'))).toBe(false);

    await user.click(toggle);
    const list = await screen.findByRole('list', { name: 'Attendance of Ann A' });
    const items = within(list).getAllByRole('listitem');
    // Newest first.
    expect(items[0]).toHaveTextContent('Ropes');
    expect(items[0]).toHaveTextContent('Absent');
    expect(items[1]).toHaveTextContent('Knots');
    expect(items[1]).toHaveTextContent('Present');
    expect(screen.getByText(/marked sessions/)).toHaveTextContent('Present at 1 of 2 marked sessions.');
    expect(screen.getByRole('button', { name: 'Hide attendance of Ann A' })).toHaveAttribute('aria-expanded', 'true');
    expect(calls.filter((c) => c.url.pathname.startsWith('/attendance/trainee/')).map((c) => c.url.pathname)).toEqual([
      '/attendance/trainee/5',
    ]);

    await user.click(screen.getByRole('button', { name: 'Hide attendance of Ann A' }));
    expect(screen.queryByRole('list', { name: 'Attendance of Ann A' })).not.toBeInTheDocument();
  });

  it('shows a 403 from the server as "not available", not as an error', async () => {
    signInAs(trainer);
    mockFetch(
      routes([
        // The assignment list could not be read: the page lets the server decide.
        { path: '/assignments', status: 500, body: { detail: 'boom' } },
        { path: '/attendance/trainee/6', status: 403, body: { detail: 'You are not allowed to do this' } },
      ]),
    );
    renderPage(<TrainerTraineesPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Show attendance of Bob B' }));
    expect(
      await screen.findByText('Not available: attendance is shown only for trainees assigned to you.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says so when an assigned trainee has no marks yet, and shows other failures as errors', async () => {
    signInAs(trainer);
    mockFetch(
      routes([
        {
          path: '/assignments',
          body: [
            { id: 1, student: ann, teacher: trainer, assigned_date: '2020-01-01T09:00:00+00:00' },
            { id: 2, student: bob, teacher: trainer, assigned_date: '2020-01-01T09:00:00+00:00' },
          ],
        },
        { path: '/attendance/trainee/5', body: [] },
        { path: '/attendance/trainee/6', status: 503, body: { detail: 'Database unavailable' } },
      ]),
    );
    renderPage(<TrainerTraineesPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Show attendance of Ann A' }));
    expect(await screen.findByText('No attendance recorded for Ann A yet.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show attendance of Bob B' }));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Database unavailable'));
  });
});

describe('TrainerTraineesPage: a trainee’s courses', () => {
  it('shows an assigned trainee’s course progress when asked, with overdue courses marked', async () => {
    signInAs(trainer);
    const enrolment = (course_id: number, title: string, extra: Record<string, unknown>) => ({
      course_id,
      trainee: ann,
      batch_id: null,
      due_date: null,
      assigned_at: '2020-01-01T09:00:00+00:00',
      status: 'in_progress',
      completed_lessons: 1,
      total_lessons: 4,
      progress_percentage: 25,
      completed_at: null,
      course: { id: course_id, code: `CRS-000${course_id}`, title },
      ...extra,
    });
    const { calls } = mockFetch(
      routes([
        {
          path: '/assignments',
          body: [{ id: 1, student: ann, teacher: trainer, assigned_date: '2020-01-01T09:00:00+00:00' }],
        },
        { path: '/attendance/trainee/5', body: [] },
        {
          path: '/progress/trainee/5/courses',
          body: {
            courses: [
              enrolment(1, 'Working at height', { due_date: '2020-02-01' }),
              enrolment(2, 'Forklifts', { status: 'completed', completed_lessons: 4, progress_percentage: 100 }),
            ],
            statistics: { total_enrolled: 2, completed: 1, in_progress: 1, not_started: 0, average_progress: 62.5 },
          },
        },
      ]),
    );
    renderPage(<TrainerTraineesPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Show attendance of Ann A' }));
    await user.click(await screen.findByRole('button', { name: 'Show course progress of Ann A' }));
    const list = await screen.findByRole('list', { name: 'Courses of Ann A' });
    expect(screen.getByText(/Courses:/)).toHaveTextContent('Courses: 1 of 2 completed, average progress 63%.');
    const [height, forklifts] = within(list).getAllByRole('listitem');
    expect(height).toHaveTextContent('overdue');
    expect(within(height).getByRole('progressbar')).toHaveValue(25);
    expect(forklifts).not.toHaveTextContent('overdue');
    expect(within(forklifts).getByRole('link', { name: 'Forklifts' })).toHaveAttribute('href', '/courses/2/enrolments');
    expect(calls.filter((c) => c.url.pathname === '/progress/trainee/5/courses')).toHaveLength(1);
  });
});
