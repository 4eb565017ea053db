import { QueryClient } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { CourseEnrolment } from '../api/courses';
import { App } from '../app/App';
import { makeBatch } from '../test/batches';
import { makeCourse, makeEnrolment } from '../test/courses';
import { FakeSocket } from '../test/fakes';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { CourseEnrolmentsPage } from './CourseEnrolmentsPage';

const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const tia = makeUser({ id: 7, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });
const pia = makeUser({ id: 8, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });
const course = makeCourse({ status: 'published', owner_id: 2 });

const bar = (name: string) => screen.getByRole('progressbar', { name: `Progress of ${name}` });

function renderLive() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path: '/courses/:id/enrolments', element: <CourseEnrolmentsPage /> }], {
    initialEntries: ['/courses/1/enrolments'],
  });
  return render(
    <App client={client}>
      <RouterProvider router={router} />
    </App>,
  );
}

describe('CourseEnrolmentsPage', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
  });

  it('moves a learner’s progress bar live when a course_progress frame arrives', async () => {
    signInAs(tom);
    let learners: CourseEnrolment[] = [
      makeEnrolment(tia, { status: 'in_progress', completed_lessons: 1, progress_percentage: 25 }),
      makeEnrolment(pia),
    ];
    mockFetch([
      { path: '/courses/1', body: course },
      { path: '/courses/1/enrolments', respond: () => ({ body: learners }) },
      { path: '/users', body: [tom, tia, pia] },
    ]);
    renderLive();
    await waitFor(() => expect(bar('Tia Trainee')).toHaveValue(25));
    expect(bar('Pia Doe')).toHaveValue(0);
    const socket = FakeSocket.all[0];
    socket.serverSends({ type: 'ready', data: { user_id: 2, last_id: 0 } });

    learners = [
      makeEnrolment(tia, { status: 'in_progress', completed_lessons: 2, progress_percentage: 50 }),
      makeEnrolment(pia),
    ];
    socket.serverSends({
      type: 'course_progress',
      id: 1,
      data: {
        course_id: 1,
        trainee_id: 7,
        completed_lessons: 2,
        total_lessons: 4,
        progress_percentage: 50,
        status: 'in_progress',
      },
    });
    await waitFor(() => expect(bar('Tia Trainee')).toHaveValue(50));
    const row = screen.getByTestId('learner-7');
    expect(within(row).getByText('2 of 4 lessons')).toBeInTheDocument();
    expect(bar('Pia Doe')).toHaveValue(0);

    // An event about another course leaves this page's bars alone.
    socket.serverSends({
      type: 'course_progress',
      id: 2,
      data: {
        course_id: 9,
        trainee_id: 8,
        completed_lessons: 4,
        total_lessons: 4,
        progress_percentage: 100,
        status: 'completed',
      },
    });
    await waitFor(() => expect(bar('Tia Trainee')).toHaveValue(50));
    expect(bar('Pia Doe')).toHaveValue(0);
  });

  it('enrols the chosen trainees with a due date and says how many', async () => {
    signInAs(tom);
    const { calls } = mockFetch([
      { path: '/courses/1', body: course },
      { path: '/courses/1/enrolments', body: [] },
      { path: '/users', body: [tom, tia, pia] },
      { method: 'POST', path: '/courses/1/enrolments', body: { enrolled: 1, already_enrolled: 1 } },
    ]);
    renderRoutes([{ path: '/courses/:id/enrolments', element: <CourseEnrolmentsPage /> }], '/courses/1/enrolments');
    const user = userEvent.setup();
    expect(await screen.findByText('Nobody is enrolled yet.')).toBeInTheDocument();
    await user.click(await screen.findByRole('checkbox', { name: /Tia Trainee/ }));
    await user.click(screen.getByRole('checkbox', { name: /Pia Doe/ }));
    await user.type(screen.getByLabelText('Due date'), '2026-07-01');
    await user.click(screen.getByRole('button', { name: 'Enrol' }));
    expect(await screen.findByTestId('enrol-result')).toHaveTextContent('1 enrolled, 1 already enrolled.');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ trainee_ids: [7, 8], due_date: '2026-07-01' });
    // No batch the caller may enrol (the server listed none): no batch picker.
    expect(screen.queryByTestId('batch-picker')).not.toBeInTheDocument();
  });

  it('offers batches where the server lists them', async () => {
    signInAs(tom);
    const { calls } = mockFetch([
      { path: '/courses/1', body: course },
      { path: '/courses/1/enrolments', body: [] },
      { path: '/users', body: [tom, tia] },
      { path: '/batches', body: [makeBatch({ id: 3, code: 'B-26', name: 'Spring cohort', trainee_count: 12 })] },
      { method: 'POST', path: '/courses/1/enrolments', body: { enrolled: 12, already_enrolled: 0 } },
    ]);
    renderRoutes([{ path: '/courses/:id/enrolments', element: <CourseEnrolmentsPage /> }], '/courses/1/enrolments');
    const user = userEvent.setup();
    const batches = await screen.findByTestId('batch-picker');
    await user.click(within(batches).getByRole('checkbox', { name: /Spring cohort/ }));
    await user.click(screen.getByRole('button', { name: 'Enrol' }));
    expect(await screen.findByTestId('enrol-result')).toHaveTextContent('12 enrolled.');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ trainee_ids: [], batch_ids: [3], due_date: null });
  });

  it('highlights overdue learners and removes an enrolment', async () => {
    signInAs(tom);
    let learners = [
      makeEnrolment(tia, { due_date: '2020-01-31', status: 'in_progress', progress_percentage: 50 }),
      makeEnrolment(pia, { due_date: '2099-01-31' }),
    ];
    const { calls } = mockFetch([
      { path: '/courses/1', body: course },
      { path: '/courses/1/enrolments', respond: () => ({ body: learners }) },
      { path: '/users', body: [tom, tia, pia] },
      {
        method: 'DELETE',
        path: '/courses/1/enrolments/7',
        respond: () => {
          learners = learners.filter((e) => e.trainee.id !== 7);
          return { body: { message: 'Enrolment removed' } };
        },
      },
    ]);
    renderRoutes([{ path: '/courses/:id/enrolments', element: <CourseEnrolmentsPage /> }], '/courses/1/enrolments');
    const user = userEvent.setup();
    const tiaRow = await screen.findByTestId('learner-7');
    expect(within(tiaRow).getByText(/overdue/)).toBeInTheDocument();
    expect(within(screen.getByTestId('learner-8')).queryByText(/overdue/)).not.toBeInTheDocument();
    await user.click(within(tiaRow).getByRole('button', { name: 'Remove Tia Trainee' }));
    await user.click(await screen.findByRole('button', { name: 'Remove enrolment' }));
    await waitFor(() => expect(screen.queryByTestId('learner-7')).not.toBeInTheDocument());
    expect(calls.some((c) => c.method === 'DELETE' && c.url.pathname === '/courses/1/enrolments/7')).toBe(true);
  });
});
