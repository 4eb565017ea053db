import { QueryClient } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TrainingSession } from '../api/types';
import { App } from '../app/App';
import { FakeSocket } from '../test/fakes';
import { makeUser, mockFetch, NO_BOOKING, renderPage, signInAs } from '../test/utils';
import { CalendarPage, rangeOf } from './CalendarPage';

const pia = makeUser({ id: 7, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });

function session(id: number, title: string, start: string, status: TrainingSession['status'] = 'scheduled') {
  return {
    id,
    title,
    description: null,
    trainer_id: 2,
    trainees: [],
    scheduled_date: start,
    duration_minutes: 60,
    status,
    class_link: null,
    session_link: `link-${id}-xxxxxxxxxxxxxxxx`,
    created_at: '2026-01-01T09:00:00+00:00',
    updated_at: '2026-01-01T09:00:00+00:00',
    ...NO_BOOKING,
  } satisfies TrainingSession;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('rangeOf', () => {
  it('covers whole weeks from Monday, the month with its first and last weeks, 30 days of agenda', () => {
    const day = new Date(2027, 0, 13, 15, 30); // a Wednesday
    expect(rangeOf('week', day)).toEqual({ from: new Date(2027, 0, 11), to: new Date(2027, 0, 18) });
    expect(rangeOf('month', day)).toEqual({ from: new Date(2026, 11, 28), to: new Date(2027, 1, 1) });
    expect(rangeOf('agenda', day)).toEqual({ from: new Date(2027, 0, 13), to: new Date(2027, 1, 12) });
  });
});

describe('CalendarPage', () => {
  it("asks the sessions listing for the view's range and shows the caller's sessions", async () => {
    signInAs(pia);
    const { calls } = mockFetch([
      {
        path: '/sessions',
        body: [
          session(1, 'Forklift safety', '2027-01-13T09:00:00Z'),
          session(2, 'Ladders', '2027-01-14T13:00:00Z', 'cancelled'),
        ],
      },
    ]);
    renderPage(<CalendarPage />, '/calendar?view=agenda&date=2027-01-13');
    expect(await screen.findByText('Forklift safety')).toBeInTheDocument();
    expect(screen.getByText('Ladders (cancelled)')).toBeInTheDocument();
    const asked = calls.find((c) => c.url.pathname === '/sessions');
    expect(asked?.url.searchParams.get('from')).toBe(new Date(2027, 0, 13).toISOString());
    expect(asked?.url.searchParams.get('to')).toBe(new Date(2027, 1, 12).toISOString());
    expect(asked?.url.searchParams.get('limit')).toBe('1000');
  });

  it('switches between month, week and agenda, asking again for the new range', async () => {
    signInAs(pia);
    const { calls } = mockFetch([{ path: '/sessions', body: [] }]);
    const { router } = renderPage(<CalendarPage />, '/calendar?view=month&date=2027-01-13');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Week' }));
    await waitFor(() => expect(router.state.location.search).toContain('view=week'));
    await waitFor(() =>
      expect(calls.some((c) => c.url.searchParams.get('from') === new Date(2027, 0, 11).toISOString())).toBe(true),
    );
    await user.click(screen.getByRole('button', { name: 'Agenda' }));
    await waitFor(() => expect(router.state.location.search).toContain('view=agenda'));
  });

  it('subscribes: shows the secret URL with a copy button and a warning, and revokes it', async () => {
    signInAs(pia);
    const url = 'http://localhost:8002/calendar/s3cr3t-token.ics';
    const { calls } = mockFetch([
      { path: '/sessions', body: [] },
      { method: 'POST', path: '/me/calendar-token', status: 201, body: { url } },
      { method: 'DELETE', path: '/me/calendar-token', body: { message: 'Calendar feed revoked' } },
    ]);
    renderPage(<CalendarPage />, '/calendar?view=agenda&date=2027-01-13');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Subscribe in your calendar app' }));
    expect(await screen.findByTestId('calendar-url')).toHaveValue(url);
    expect(screen.getByRole('button', { name: 'Copy' })).toBeInTheDocument();
    expect(screen.getByRole('note')).toHaveTextContent(/secret/);
    await user.click(screen.getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(screen.queryByTestId('calendar-url')).not.toBeInTheDocument());
    expect(calls.filter((c) => c.url.pathname === '/me/calendar-token').map((c) => c.method)).toEqual([
      'POST',
      'DELETE',
    ]);
  });

  it('offers a chosen session as an .ics download', async () => {
    signInAs(pia);
    const { calls } = mockFetch([
      { path: '/sessions', body: [session(1, 'Forklift safety', '2027-01-13T09:00:00Z')] },
      {
        path: '/sessions/1/ics',
        body: 'BEGIN:VCALENDAR',
        headers: { 'content-type': 'text/calendar', 'content-disposition': 'attachment; filename="session-1.ics"' },
      },
    ]);
    let saved: Blob | undefined;
    URL.createObjectURL = vi.fn((object: Blob | MediaSource) => {
      saved = object as Blob;
      return 'blob:session';
    });
    URL.revokeObjectURL = vi.fn();
    renderPage(<CalendarPage />, '/calendar?view=agenda&date=2027-01-13');
    const user = userEvent.setup();
    await user.click(await screen.findByText('Forklift safety'));
    const chosen = await screen.findByRole('region', { name: 'Forklift safety' });
    await user.click(within(chosen).getByRole('button', { name: 'Add to calendar (.ics)' }));
    await waitFor(() => expect(saved).toBeDefined());
    expect(calls.some((c) => c.url.pathname === '/sessions/1/ics' && c.headers.get('authorization'))).toBe(true);
    // A trainee has no session page to go to.
    expect(within(chosen).queryByRole('link', { name: 'Open the session' })).not.toBeInTheDocument();
  });
});

describe('CalendarPage, live', () => {
  it('shows a session the server announces, without a reload', async () => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    signInAs(pia);
    let current = [session(1, 'Forklift safety', '2027-01-13T09:00:00Z')];
    mockFetch([{ path: '/sessions', respond: () => ({ body: current }) }]);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const router = createMemoryRouter([{ path: '*', element: <CalendarPage /> }], {
      initialEntries: ['/calendar?view=agenda&date=2027-01-13'],
    });
    render(
      <App client={client}>
        <RouterProvider router={router} />
      </App>,
    );
    expect(await screen.findByText('Forklift safety')).toBeInTheDocument();
    const socket = FakeSocket.all[0];
    socket.serverSends({ type: 'ready', data: { user_id: 7, last_id: 0 } });
    current = [...current, session(2, 'First aid', '2027-01-15T09:00:00Z')];
    socket.serverSends({
      type: 'trainee_added_to_session',
      id: 1,
      data: { session_id: 2, trainee_id: 7, updated_at: '2027-01-01T09:00:00Z' },
    });
    expect(await screen.findByText('First aid')).toBeInTheDocument();
  });

  it('marks a session cancelled and drops a removed one as their events arrive', async () => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    signInAs(pia);
    let current = [
      session(1, 'Forklift safety', '2027-01-13T09:00:00Z'),
      session(2, 'Ladders', '2027-01-14T09:00:00Z'),
    ];
    mockFetch([{ path: '/sessions', respond: () => ({ body: current }) }]);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const router = createMemoryRouter([{ path: '*', element: <CalendarPage /> }], {
      initialEntries: ['/calendar?view=agenda&date=2027-01-13'],
    });
    render(
      <App client={client}>
        <RouterProvider router={router} />
      </App>,
    );
    expect(await screen.findByText('Ladders')).toBeInTheDocument();
    const socket = FakeSocket.all[0];
    socket.serverSends({ type: 'ready', data: { user_id: 7, last_id: 0 } });
    current = [session(1, 'Forklift safety', '2027-01-13T09:00:00Z', 'cancelled'), current[1]];
    socket.serverSends({ type: 'session_updated', id: 1, data: { session_id: 1, status: 'cancelled' } });
    expect(await screen.findByText('Forklift safety (cancelled)')).toBeInTheDocument();
    current = [current[0]];
    socket.serverSends({ type: 'trainee_removed_from_session', id: 2, data: { session_id: 2, trainee_id: 7 } });
    await waitFor(() => expect(screen.queryByText('Ladders')).not.toBeInTheDocument());
  });
});
