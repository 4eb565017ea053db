import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { TrainingSession, User } from '../api/types';
import { makeBatch } from '../test/batches';
import { makeCourse } from '../test/courses';
import { makeUser, mockFetch, NO_BOOKING, renderRoutes, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { BatchDetailPage } from './BatchDetailPage';

const admin = makeUser();
const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const tia = makeUser({ id: 3, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });
const pia = makeUser({ id: 4, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });
const paul = makeUser({ id: 5, username: 'paul', role: 'trainee', first_name: 'Paul', last_name: 'Doe' });
const course = makeCourse({ id: 9, title: 'Working at height', status: 'published' });

const drill: TrainingSession = {
  id: 6,
  title: 'Fire drill',
  description: null,
  trainer_id: 2,
  trainees: [],
  scheduled_date: '2099-06-01T09:00:00+00:00',
  duration_minutes: 60,
  status: 'scheduled',
  class_link: null,
  session_link: 'fd-1',
  created_at: '2026-05-01T09:00:00+00:00',
  updated_at: '2026-05-01T09:00:00+00:00',
  ...NO_BOOKING,
};

function page() {
  return renderRoutes(
    [
      {
        path: '/batches/:id',
        element: (
          <>
            <BatchDetailPage />
            <Toasts />
          </>
        ),
      },
      { path: '/batches', element: <h1>All batches</h1> },
    ],
    '/batches/3',
  );
}

describe('BatchDetailPage', () => {
  it('adds members found by search, removes one, and shows its trainers and courses', async () => {
    signInAs(admin);
    let members: User[] = [tia];
    const batch = () => makeBatch({ trainer_ids: [2], course_ids: [9], trainee_count: members.length });
    const { calls } = mockFetch([
      { path: '/batches/3', respond: () => ({ body: batch() }) },
      { path: '/batches/3/trainees', respond: () => ({ body: members }) },
      { path: '/users', body: [admin, tom, tia, pia, paul] },
      { path: '/courses', body: [course] },
      { path: '/sessions', body: [] },
      {
        method: 'POST',
        path: '/batches/3/trainees',
        respond: ({ body }) => {
          const ids = (body as { trainee_ids: number[] }).trainee_ids;
          members = [...members, ...[pia, paul].filter((u) => ids.includes(u.id))];
          return { body: { added: ids.length, already_members: 0 } };
        },
      },
      {
        method: 'DELETE',
        path: '/batches/3/trainees/3',
        respond: () => {
          members = members.filter((m) => m.id !== 3);
          return { body: { message: 'Trainee removed from the batch' } };
        },
      },
    ]);
    page();
    expect(await screen.findByRole('heading', { name: 'Spring intake' })).toBeInTheDocument();
    expect(await screen.findByText('Tom Trainer')).toBeInTheDocument();
    expect(
      within(screen.getByTestId('batch-courses')).getByRole('link', { name: 'Working at height' }),
    ).toHaveAttribute('href', '/courses/9/enrolments');
    expect(await screen.findByTestId('member-3')).toHaveTextContent('Tia Trainee');
    const user = userEvent.setup();

    const adder = screen.getByTestId('add-members');
    await user.type(within(adder).getByLabelText('Search trainees'), 'doe');
    // Tia is a member already: only those outside the batch are offered.
    await user.click(within(adder).getByRole('checkbox', { name: /Pia Doe/ }));
    await user.click(within(adder).getByRole('checkbox', { name: /Paul Doe/ }));
    await user.click(within(adder).getByRole('button', { name: 'Add 2 to batch' }));
    expect(await screen.findByText('2 added to SPRING-26')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ trainee_ids: [4, 5] });
    expect(await screen.findByTestId('member-5')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('trainee-count')).toHaveTextContent('3 trainees'));

    await user.click(within(screen.getByTestId('member-3')).getByRole('button', { name: 'Remove Tia Trainee' }));
    expect(await screen.findByText('Tia Trainee left SPRING-26')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('member-3')).not.toBeInTheDocument());
  });

  it('enrols the batch in a course and in a session, and names who clashes when it cannot', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/batches/3', body: makeBatch({ trainee_count: 2 }) },
      { path: '/batches/3/trainees', body: [tia, pia] },
      { path: '/users', body: [admin, tom, tia, pia] },
      { path: '/courses', body: [course, makeCourse({ id: 10, title: 'Old', status: 'archived' })] },
      { path: '/sessions', body: [drill] },
      { method: 'POST', path: '/courses/9/enrolments', body: { enrolled: 2, already_enrolled: 0 } },
      {
        method: 'PUT',
        path: '/sessions/6',
        status: 409,
        body: {
          detail:
            'Double booking: trainee 3 (Tia Trainee) and trainee 4 (Pia Doe) are already enrolled in session 2 "Ladders" starting 2099-06-01T09:00:00+00:00',
          conflicts: [],
        },
      },
    ]);
    page();
    const user = userEvent.setup();
    const courseForm = (await screen.findByRole('heading', { name: 'Enrol this batch in a course' })).closest('form');
    if (!courseForm) throw new Error('no course form');
    const courseSelect = within(courseForm).getByLabelText('Course');
    await within(courseSelect).findByRole('option', { name: /Working at height/ });
    // An archived course takes no one: it is not offered.
    expect(within(courseSelect).queryByRole('option', { name: /Old/ })).not.toBeInTheDocument();
    await user.selectOptions(courseSelect, '9');
    await user.click(within(courseForm).getByRole('button', { name: 'Enrol in course' }));
    expect(await screen.findByText('SPRING-26 enrolled in Working at height')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ trainee_ids: [], batch_ids: [3], due_date: null });

    const sessionForm = screen.getByRole('heading', { name: 'Enrol this batch in a session' }).closest('form');
    if (!sessionForm) throw new Error('no session form');
    await user.selectOptions(await within(sessionForm).findByLabelText('Session'), '6');
    await user.click(within(sessionForm).getByRole('button', { name: 'Enrol in session' }));
    expect(await within(sessionForm).findByText(/Tia Trainee\) and trainee 4 \(Pia Doe/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ batch_ids: [3] });
  });

  it('shows a trainer the batch without member management', async () => {
    signInAs(tom);
    mockFetch([
      { path: '/batches/3', body: makeBatch({ trainer_ids: [2], trainee_count: 1 }) },
      { path: '/batches/3/trainees', body: [tia] },
      { path: '/users', body: [tom, tia] },
      { path: '/courses', body: [] },
      { path: '/sessions', body: [] },
    ]);
    page();
    expect(await screen.findByTestId('member-3')).toBeInTheDocument();
    expect(screen.queryByTestId('add-members')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Remove/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete batch' })).not.toBeInTheDocument();
  });
});
