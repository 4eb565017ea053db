import { QueryClient } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AttendanceListing, TrainingSession, User } from '../api/types';
import { App } from '../app/App';
import { makeUser, mockFetch, NO_BOOKING, signInAs } from '../test/utils';
import { TraineeHomePage } from './TraineeHomePage';

const trainee = makeUser({ id: 7, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });

function session(
  id: number,
  title: string,
  scheduled_date: string,
  status: TrainingSession['status'] = 'scheduled',
): TrainingSession {
  return {
    id,
    title,
    description: null,
    trainer_id: 2,
    trainees: [trainee],
    scheduled_date,
    duration_minutes: 60,
    status,
    class_link: null,
    session_link: `link-${id}`,
    created_at: '2020-01-01T09:00:00+00:00',
    updated_at: '2020-01-01T09:00:00+00:00',
    ...NO_BOOKING,
  };
}

const firstAid = session(1, 'First aid', '2020-03-01T09:00:00+00:00', 'completed');
const fireDrill = session(2, 'Fire drill', '2020-03-02T09:00:00+00:00', 'completed');
const ladders = session(3, 'Ladders', '2020-03-03T09:00:00+00:00');
const future = session(4, 'Forklifts', '2099-01-01T09:00:00+00:00');

function mark(id: number, s: TrainingSession, present: boolean, who: User = trainee): AttendanceListing {
  const { trainees: _omit, ...summary } = s;
  void _omit;
  return { id, session: summary, trainee: who, present, marked_at: '2020-03-05T10:00:00+00:00' };
}

/** A WebSocket stand-in: the test plays the server's frames. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  onmessage: ((m: { data: unknown }) => void) | null = null;
  onclose: ((c: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send() {}
  close(code = 1000) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  serverSends(frame: unknown) {
    this.readyState = 1;
    act(() => this.onmessage?.({ data: JSON.stringify(frame) }));
  }
}

function renderTraineeHome() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter([{ path: '*', element: <TraineeHomePage /> }], { initialEntries: ['/my'] });
  return render(
    <App client={client}>
      <RouterProvider router={router} />
    </App>,
  );
}

const pastRow = (title: string) => {
  const table = screen.getByTestId('past-sessions');
  const row = within(table).getByText(title).closest('tr');
  if (!row) throw new Error(`no row for ${title}`);
  return row as HTMLElement;
};

describe('TraineeHomePage: past sessions with my attendance', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
  });

  it('shows present, absent and not marked for each past session, from GET /attendance/trainee/{me}', async () => {
    signInAs(trainee);
    const { calls } = mockFetch([
      { path: '/sessions', body: [firstAid, fireDrill, ladders, future] },
      {
        path: '/progress/trainee/7',
        body: { trainee_id: 7, trainee, total_sessions: 4, attended_sessions: 1, progress_percentage: 25 },
      },
      { path: '/attendance/trainee/7', body: [mark(10, firstAid, true), mark(11, fireDrill, false)] },
    ]);
    renderTraineeHome();
    await waitFor(() => expect(within(pastRow('First aid')).getByText('Present')).toBeInTheDocument());
    expect(within(pastRow('Fire drill')).getByText('Absent')).toBeInTheDocument();
    expect(within(pastRow('Ladders')).getByText('Not marked')).toBeInTheDocument();
    // The upcoming session is not a past one.
    expect(within(screen.getByTestId('past-sessions')).queryByText('Forklifts')).not.toBeInTheDocument();
    expect(calls.some((c) => c.url.pathname === '/attendance/trainee/7')).toBe(true);
  });

  it('refreshes the marks on attendance_marked, attendance_updated and attendance_deleted', async () => {
    signInAs(trainee);
    let marks: AttendanceListing[] = [];
    const { calls } = mockFetch([
      { path: '/sessions', body: [firstAid, ladders] },
      {
        path: '/progress/trainee/7',
        body: { trainee_id: 7, trainee, total_sessions: 2, attended_sessions: 0, progress_percentage: 0 },
      },
      { path: '/attendance/trainee/7', respond: () => ({ body: marks }) },
    ]);
    renderTraineeHome();
    await waitFor(() => expect(within(pastRow('Ladders')).getByText('Not marked')).toBeInTheDocument());
    const socket = FakeSocket.all[0];
    expect(socket.url).toContain('token=token-7');
    socket.serverSends({ type: 'ready', data: { user_id: 7, last_id: 0 } });
    const asked = () => calls.filter((c) => c.url.pathname === '/attendance/trainee/7').length;

    marks = [mark(20, ladders, true)];
    socket.serverSends({
      type: 'attendance_marked',
      id: 1,
      data: { session_id: 3, trainee_id: 7, present: true, marked_at: '2020-03-05T10:00:00+00:00' },
    });
    await waitFor(() => expect(within(pastRow('Ladders')).getByText('Present')).toBeInTheDocument());

    // attendance_updated names only the record: the whole list is asked for again.
    marks = [mark(20, ladders, false)];
    const before = asked();
    socket.serverSends({
      type: 'attendance_updated',
      id: 2,
      data: { attendance_id: 20, present: false, marked_at: '2020-03-05T10:05:00+00:00' },
    });
    await waitFor(() => expect(within(pastRow('Ladders')).getByText('Absent')).toBeInTheDocument());
    expect(asked()).toBeGreaterThan(before);

    marks = [];
    socket.serverSends({ type: 'attendance_deleted', id: 3, data: { attendance_id: 20 } });
    await waitFor(() => expect(within(pastRow('Ladders')).getByText('Not marked')).toBeInTheDocument());
    expect(within(pastRow('First aid')).getByText('Not marked')).toBeInTheDocument();
  });

  it('still lists past sessions when the marks cannot be loaded, and says so', async () => {
    signInAs(trainee);
    mockFetch([
      { path: '/sessions', body: [firstAid] },
      {
        path: '/progress/trainee/7',
        body: { trainee_id: 7, trainee, total_sessions: 1, attended_sessions: 0, progress_percentage: 0 },
      },
      { path: '/attendance/trainee/7', status: 503, body: { detail: 'Service unavailable' } },
    ]);
    renderTraineeHome();
    expect(await screen.findByText(/Your attendance could not be loaded\. Service unavailable/)).toBeInTheDocument();
    expect(within(pastRow('First aid')).getByText('Not available')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('shows the mark on a session that is still running', async () => {
    signInAs(trainee);
    const running = session(5, 'Running now', new Date(Date.now() - 10 * 60_000).toISOString());
    mockFetch([
      { path: '/sessions', body: [running] },
      {
        path: '/progress/trainee/7',
        body: { trainee_id: 7, trainee, total_sessions: 1, attended_sessions: 1, progress_percentage: 100 },
      },
      { path: '/attendance/trainee/7', body: [mark(30, running, true)] },
    ]);
    renderTraineeHome();
    const card = (await screen.findByRole('heading', { name: 'Running now' })).closest('li') as HTMLElement;
    await waitFor(() => expect(within(card).getByText('Present')).toBeInTheDocument());
  });
});
