import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { SessionForm } from './SessionForm';

const admin = makeUser();
const trainer = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const trainee = makeUser({ id: 3, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });

describe('SessionForm', () => {
  it('sends the chosen trainer, trainees and UTC time, and explains a double booking', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users/', body: [admin, trainer, trainee] },
      {
        method: 'POST',
        path: '/sessions/',
        status: 409,
        body: { detail: 'Tom Trainer is already booked from 09:00 to 10:00 UTC in session #4 “Forklift basics”.' },
      },
    ]);
    const onSaved = vi.fn();
    renderPage(<SessionForm onSaved={onSaved} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Title'), 'Safety 101');
    await user.selectOptions(screen.getByLabelText('Trainer'), '2');
    await user.type(screen.getByLabelText('Starts at'), '2026-05-01T11:00');
    await user.click(screen.getByLabelText(/Tia Trainee/));
    await user.click(screen.getByRole('button', { name: 'Create session' }));
    expect(await screen.findByText('This session cannot be booked at that time:')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('session #4 “Forklift basics”');
    const body = calls.find((c) => c.method === 'POST')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ title: 'Safety 101', trainer_id: 2, trainees: [3], duration_minutes: 60, status: 'scheduled' });
    expect(body.scheduled_date).toBe(new Date(2026, 4, 1, 11, 0).toISOString());
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('checks required values before sending', async () => {
    signInAs(admin);
    const { calls } = mockFetch([{ path: '/users/', body: [admin] }]);
    renderPage(<SessionForm onSaved={() => undefined} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create session' }));
    expect(screen.getByText('Give the session a title.')).toBeInTheDocument();
    expect(screen.getByText('Choose a date and time.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });
});
