import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Assignment } from '../api/types';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { AssignmentsPage } from './AssignmentsPage';

const admin = makeUser();
const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const tia = makeUser({ id: 3, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });
const pia = makeUser({ id: 4, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });
const tiaWithTom: Assignment = { id: 7, student: tia, teacher: tom, assigned_date: '2026-05-04T08:00:00+00:00' };

describe('AssignmentsPage', () => {
  it('lists who looks after whom, and assigns a trainee to a trainer', async () => {
    signInAs(admin);
    let assignments = [tiaWithTom];
    const { calls } = mockFetch([
      { path: '/users', body: [admin, tom, tia, pia] },
      { path: '/assignments', respond: () => ({ body: assignments }) },
      {
        method: 'POST',
        path: '/assignments',
        respond: ({ body }) => {
          assignments = [...assignments, { id: 8, student: pia, teacher: tom, assigned_date: '2026-05-05T08:00:00Z' }];
          return { status: 201, body: { id: 8, ...(body as object), assigned_date: '2026-05-05T08:00:00Z' } };
        },
      },
    ]);
    renderPage(<AssignmentsPage />);
    const table = await screen.findByRole('table', { name: 'Assignments' });
    const first = within(table).getAllByRole('row')[1];
    expect(within(first).getByText('Tia Trainee')).toBeInTheDocument();
    expect(within(first).getByText('Tom Trainer')).toBeInTheDocument();

    const user = userEvent.setup();
    const assign = screen.getByRole('button', { name: 'Assign' });
    expect(assign).toBeDisabled();
    // Only trainees and trainers are offered, each in its own list.
    const traineeChoices = within(screen.getByLabelText('Trainee')).getAllByRole('option');
    expect(traineeChoices.map((o) => o.textContent)).toEqual(['Choose a trainee…', 'Tia Trainee', 'Pia Doe']);
    await user.selectOptions(screen.getByLabelText('Trainee'), 'Pia Doe');
    await user.selectOptions(screen.getByLabelText('Trainer'), 'Tom Trainer');
    await user.click(assign);

    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(3));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ student_id: 4, teacher_id: 2 });
    expect(screen.getByLabelText('Trainee')).toHaveValue('');
  });

  it('explains a refused assignment, and removes one by its trainee and trainer', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users', body: [admin, tom, tia] },
      { path: '/assignments', body: [tiaWithTom] },
      {
        method: 'POST',
        path: '/assignments',
        status: 409,
        body: { detail: 'Tia Trainee is already assigned to Tom.' },
      },
      { method: 'DELETE', path: '/assignments/3/2', body: { message: 'Assignment removed' } },
    ]);
    renderPage(<AssignmentsPage />);
    const user = userEvent.setup();
    await screen.findByRole('table', { name: 'Assignments' });
    await user.selectOptions(screen.getByLabelText('Trainee'), 'Tia Trainee');
    await user.selectOptions(screen.getByLabelText('Trainer'), 'Tom Trainer');
    await user.click(screen.getByRole('button', { name: 'Assign' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Tia Trainee is already assigned to Tom.');

    await user.click(screen.getByRole('button', { name: 'Remove assignment of tia' }));
    const removed = () => calls.filter((c) => c.method === 'DELETE').map((c) => c.url.pathname);
    await waitFor(() => expect(removed()).toEqual(['/assignments/3/2']));
    // The list is asked for again, so it shows what the server now holds.
    await waitFor(() =>
      expect(calls.filter((c) => c.url.pathname === '/assignments' && c.method === 'GET').length).toBe(2),
    );
  });
});
