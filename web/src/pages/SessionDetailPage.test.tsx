import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { TrainingSession } from '../api/types';
import { formatDateTime } from '../lib/time';
import { makeUser, mockFetch, NO_BOOKING, renderRoutes, signInAs } from '../test/utils';
import { SessionDetailPage } from './SessionDetailPage';

const admin = makeUser();
const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });
const tia = makeUser({ id: 3, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });
const pia = makeUser({ id: 4, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });

const firstAid: TrainingSession = {
  id: 5,
  title: 'First aid',
  description: 'Bring comfortable shoes.',
  trainer_id: 2,
  trainees: [tia],
  scheduled_date: '2026-06-01T09:00:00+00:00',
  duration_minutes: 90,
  status: 'scheduled',
  class_link: 'https://meet.example.test/first-aid',
  session_link: 'fa-123',
  created_at: '2026-05-01T09:00:00+00:00',
  updated_at: '2026-05-01T09:00:00+00:00',
  ...NO_BOOKING,
};

function renderDetail() {
  return renderRoutes(
    [
      { path: '/sessions/:id', element: <SessionDetailPage /> },
      { path: '/sessions', element: <h1>All sessions</h1> },
    ],
    '/sessions/5',
  );
}

describe('SessionDetailPage', () => {
  it('shows the session: when, who trains it, its trainees, its class and join links', async () => {
    signInAs(tom);
    mockFetch([
      { path: '/sessions/5', body: firstAid },
      { path: '/users', body: [tom, tia, pia] },
    ]);
    renderDetail();
    expect(await screen.findByRole('heading', { level: 1, name: 'First aid' })).toBeInTheDocument();
    const details = within(screen.getByRole('region', { name: 'Details' }));
    expect(await details.findByText('Tom Trainer')).toBeInTheDocument();
    expect(details.getByText(formatDateTime(firstAid.scheduled_date))).toBeInTheDocument();
    expect(details.getByText('1 h 30 min')).toBeInTheDocument();
    expect(details.getByRole('link', { name: 'https://meet.example.test/first-aid' })).toHaveAttribute(
      'target',
      '_blank',
    );
    expect(details.getByText('Bring comfortable shoes.')).toBeInTheDocument();
    expect(details.getByLabelText('Join link for trainees')).toHaveValue(`${window.location.origin}/app/join/fa-123`);
    const trainees = within(screen.getByRole('region', { name: 'Trainees (1)' }));
    expect(trainees.getByRole('listitem')).toHaveTextContent('Tia Trainee');
    expect(screen.getByRole('link', { name: 'Take attendance' })).toHaveAttribute('href', '/sessions/5/attendance');
    // Only an admin may delete a session.
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
  });

  it('changes the status, enrols and removes trainees, each with its own request', async () => {
    signInAs(tom);
    let session = firstAid;
    const { calls } = mockFetch([
      { path: '/sessions/5', respond: () => ({ body: session }) },
      { path: '/users', body: [tom, tia, pia] },
      {
        method: 'PUT',
        path: '/sessions/5',
        respond: ({ body }) => {
          session = { ...session, ...(body as Partial<TrainingSession>) };
          return { body: session };
        },
      },
      {
        method: 'POST',
        path: '/sessions/5/trainees/4',
        respond: () => {
          session = { ...session, trainees: [...session.trainees, pia] };
          return { body: { message: 'Trainee enrolled' } };
        },
      },
      {
        method: 'DELETE',
        path: '/sessions/5/trainees/3',
        respond: () => {
          session = { ...session, trainees: session.trainees.filter((t) => t.id !== 3) };
          return { body: { message: 'Trainee removed' } };
        },
      },
    ]);
    renderDetail();
    const user = userEvent.setup();
    await screen.findByRole('heading', { level: 1, name: 'First aid' });

    await user.selectOptions(screen.getByLabelText('Change status'), 'completed');
    await waitFor(() => expect(screen.getByLabelText('Change status')).toHaveValue('completed'));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ status: 'completed' });

    // Only trainees who are not enrolled yet are offered.
    const choices = within(screen.getByLabelText('Enrol a trainee')).getAllByRole('option');
    expect(choices.map((o) => o.textContent)).toEqual(['Choose a trainee…', 'Pia Doe (pia)']);
    await user.selectOptions(screen.getByLabelText('Enrol a trainee'), 'Pia Doe (pia)');
    await user.click(screen.getByRole('button', { name: 'Enrol' }));
    expect(await screen.findByRole('region', { name: 'Trainees (2)' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Remove Tia Trainee' }));
    const trainees = await screen.findByRole('region', { name: 'Trainees (1)' });
    const enrolled = within(trainees).getAllByRole('listitem');
    expect(enrolled).toHaveLength(1);
    expect(enrolled[0]).toHaveTextContent('Pia Doe');
    expect(calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'PUT /sessions/5',
      'POST /sessions/5/trainees/4',
      'DELETE /sessions/5/trainees/3',
    ]);
  });

  it('lets an admin delete the session after confirming, then goes back to the list', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/sessions/5', body: firstAid },
      { path: '/users', body: [admin, tom, tia] },
      { method: 'DELETE', path: '/sessions/5', body: { message: 'Session deleted' } },
    ]);
    renderDetail();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this session?' });
    expect(dialog).toHaveTextContent('Its 1 trainee(s) will be told.');
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Delete session' }));
    expect(await screen.findByRole('heading', { name: 'All sessions' })).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url.pathname)).toEqual(['/sessions/5']);
  });

  it('says so when the session does not exist', async () => {
    signInAs(tom);
    mockFetch([
      { path: '/sessions/5', status: 404, body: { detail: 'Session 5 not found.' } },
      { path: '/users', body: [tom] },
    ]);
    renderDetail();
    expect(await screen.findByRole('alert')).toHaveTextContent('Session 5 not found.');
  });
});
