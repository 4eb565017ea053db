import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeBatch } from '../test/batches';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { SessionForm } from './SessionForm';

// A zone with a half-hour offset: a time shown in UTC by mistake cannot pass for local time.
vi.hoisted(() => vi.stubEnv('TZ', 'Asia/Kolkata'));
afterAll(() => vi.unstubAllEnvs());

const admin = makeUser();
const trainer = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const trainee = makeUser({ id: 3, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });

describe('SessionForm', () => {
  it('sends the chosen trainer, trainees and UTC time, and explains a double booking', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users', body: [admin, trainer, trainee] },
      {
        method: 'POST',
        path: '/sessions',
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
    expect(body).toMatchObject({
      title: 'Safety 101',
      trainer_id: 2,
      trainees: [3],
      duration_minutes: 60,
      status: 'scheduled',
    });
    expect(body.scheduled_date).toBe(new Date(2026, 4, 1, 11, 0).toISOString());
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('enrols every member of the batches chosen', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users', body: [admin, trainer, trainee] },
      { path: '/batches', body: [makeBatch({ id: 7, code: 'B-7', name: 'Spring cohort', trainee_count: 12 })] },
      {
        method: 'POST',
        path: '/sessions',
        status: 409,
        body: {
          detail: 'Double booking: trainee 3 (Tia Trainee) and trainee 9 (Pia Doe) are already enrolled in session 4',
        },
      },
    ]);
    renderPage(<SessionForm onSaved={() => undefined} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Title'), 'Safety 101');
    await user.selectOptions(screen.getByLabelText('Trainer'), '2');
    await user.type(screen.getByLabelText('Starts at'), '2026-05-01T11:00');
    const picker = await screen.findByTestId('batch-picker');
    await user.click(within(picker).getByRole('checkbox', { name: /Spring cohort/ }));
    await user.click(screen.getByRole('button', { name: 'Create session' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('trainee 3 (Tia Trainee) and trainee 9 (Pia Doe)');
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ trainees: [], batch_ids: [7] });
  });

  it('checks required values before sending', async () => {
    signInAs(admin);
    const { calls } = mockFetch([{ path: '/users', body: [admin] }]);
    renderPage(<SessionForm onSaved={() => undefined} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Create session' }));
    expect(screen.getByText('Give the session a title.')).toBeInTheDocument();
    expect(screen.getByText('Choose the trainer who delivers it.')).toBeInTheDocument();
    expect(screen.getByText('Choose a date and time.')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('does not offer the admin as the trainer of a new session', async () => {
    signInAs(admin);
    mockFetch([{ path: '/users', body: [admin, trainer, trainee] }]);
    renderPage(<SessionForm onSaved={() => undefined} onCancel={() => undefined} />);
    const select = (await screen.findByLabelText('Trainer')) as HTMLSelectElement;
    expect(select.value).toBe('');
    expect(select.selectedOptions[0]).toHaveTextContent('Choose a trainer…');
    // Trainers first; an admin who delivers a session can still be chosen, named as such.
    expect([...select.options].filter((o) => !o.disabled).map((o) => o.textContent)).toEqual([
      'Tom Trainer',
      'Ada Admin (admin)',
    ]);
  });

  it("a trainer's session is their own", async () => {
    signInAs(trainer);
    const { calls } = mockFetch([
      { path: '/users', body: [trainer, trainee] },
      {
        method: 'POST',
        path: '/sessions',
        status: 201,
        respond: ({ body }) => ({ status: 201, body: { id: 9, trainees: [], ...(body as object) } }),
      },
    ]);
    const onSaved = vi.fn();
    renderPage(<SessionForm onSaved={onSaved} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Title'), 'Mine');
    expect(screen.queryByLabelText('Trainer')).toBeNull();
    await user.type(screen.getByLabelText('Starts at'), '2026-05-04T14:30');
    await user.click(screen.getByRole('button', { name: 'Create session' }));
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({
      trainer_id: trainer.id,
      scheduled_date: '2026-05-04T09:00:00.000Z',
    });
  });

  it('shows each clash of a double booking in local time, with who is busy', async () => {
    signInAs(admin);
    mockFetch([
      { path: '/users', body: [admin, trainer, trainee] },
      {
        method: 'POST',
        path: '/sessions',
        status: 409,
        body: {
          detail:
            'Double booking: the trainer Tom Trainer is already booked for session 4 "Forklift basics" starting 2026-05-04T09:00:00+00:00',
          conflicts: [
            {
              session_id: 4,
              title: 'Forklift basics',
              scheduled_date: '2026-05-04T09:00:00+00:00',
              ends_at: '2026-05-04T10:00:00+00:00',
              trainer: { id: 2, name: 'Tom Trainer' },
              trainees: [{ id: 3, name: 'Tia Trainee' }],
            },
          ],
        },
      },
    ]);
    renderPage(<SessionForm onSaved={() => undefined} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Title'), 'Safety 101');
    await user.selectOptions(screen.getByLabelText('Trainer'), '2');
    await user.type(screen.getByLabelText('Starts at'), '2026-05-04T14:45');
    await user.click(screen.getByLabelText(/Tia Trainee/));
    await user.click(screen.getByRole('button', { name: 'Create session' }));
    const alert = await screen.findByRole('alert');
    const clash = within(alert).getByRole('listitem');
    expect(clash).toHaveTextContent('Tom Trainer (trainer), Tia Trainee');
    expect(clash).toHaveTextContent('session #4 “Forklift basics”');
    // 09:00 UTC is 14:30 in Kolkata; the end, 10:00 UTC, is 15:30.
    expect(clash).toHaveTextContent(/(14:30|0?2:30\s?PM).*GMT\+5:30.*(15:30|0?3:30\s?PM)/);
    expect(alert).not.toHaveTextContent('+00:00');
    expect(alert).not.toHaveTextContent('09:00');
  });

  it('sends the room, capacity and self-booking with its closing time in UTC', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users', body: [admin, trainer] },
      {
        path: '/rooms',
        body: [{ id: 4, name: 'Lab', location: 'B1', capacity: 12, created_at: '', updated_at: '' }],
      },
      {
        method: 'POST',
        path: '/sessions',
        status: 422,
        body: {
          detail: 'Invalid input',
          errors: [{ field: 'capacity', message: "Capacity 14 is more than the room 'Lab' seats (12)" }],
        },
      },
    ]);
    renderPage(<SessionForm onSaved={() => undefined} onCancel={() => undefined} />);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Title'), 'Welding');
    await user.selectOptions(screen.getByLabelText('Trainer'), '2');
    await user.type(screen.getByLabelText('Starts at'), '2026-05-01T11:00');
    await user.selectOptions(screen.getByLabelText('Room'), '4');
    expect(screen.getByText('Lab seats 12 (B1).')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Capacity'), '14');
    await user.click(screen.getByRole('button', { name: 'Create session' }));
    expect(screen.getByText('Between 1 and 12 (what Lab seats).')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    await user.clear(screen.getByLabelText('Capacity'));
    await user.type(screen.getByLabelText('Capacity'), '10');
    await user.click(screen.getByLabelText(/Trainees may book a place themselves/));
    await user.type(screen.getByLabelText('Booking closes at'), '2026-05-01T09:30');
    await user.click(screen.getByRole('button', { name: 'Create session' }));
    expect(await screen.findByText("Capacity 14 is more than the room 'Lab' seats (12)")).toBeInTheDocument();
    const body = calls.find((c) => c.method === 'POST')?.body as Record<string, unknown>;
    expect(body).toMatchObject({ room_id: 4, capacity: 10, self_booking: true });
    expect(body.booking_closes_at).toBe(new Date(2026, 4, 1, 9, 30).toISOString());
  });
});
