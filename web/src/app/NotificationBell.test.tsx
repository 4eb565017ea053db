import { QueryClient } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { FakeSocket } from '../test/fakes';
import { makeNotification } from '../test/notifications';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { App } from './App';
import { BELL_LATEST, NotificationBell } from './NotificationBell';

const tia = makeUser({ id: 7, role: 'trainee', username: 'tia', first_name: 'Tia', last_name: 'Trainee' });

const routes = [
  { path: '/my', element: <NotificationBell /> },
  { path: '/sessions/:id', element: <h1>Session page</h1> },
  { path: '/notifications', element: <h1>All notifications</h1> },
];

describe('NotificationBell', () => {
  it('names the unread count, lists the latest few and marks all read', async () => {
    signInAs(tia);
    let unread = 3;
    const { calls } = mockFetch([
      { path: '/notifications/unread-count', respond: () => ({ body: { count: unread } }) },
      {
        path: '/notifications',
        body: [makeNotification(3), makeNotification(2), makeNotification(1, { read_at: '2027-01-12T10:00:00Z' })],
      },
      {
        method: 'POST',
        path: '/notifications/read-all',
        respond: () => {
          unread = 0;
          return { body: { message: 'All read' } };
        },
      },
    ]);
    renderRoutes(routes, '/my');
    const bell = await screen.findByRole('button', { name: 'Notifications, 3 unread' });
    expect(bell).toHaveTextContent('3');
    const user = userEvent.setup();
    await user.click(bell);
    const popover = await screen.findByRole('dialog', { name: 'Latest notifications' });
    expect(await within(popover).findByText('Notice 3')).toBeInTheDocument();
    expect(within(popover).getAllByText(/^Unread:/)).toHaveLength(2);
    const listed = calls.find((c) => c.url.pathname === '/notifications');
    expect(listed?.url.searchParams.get('limit')).toBe(String(BELL_LATEST));
    expect(within(popover).getByRole('link', { name: 'See all notifications' })).toHaveAttribute(
      'href',
      '/notifications',
    );

    await user.click(within(popover).getByRole('button', { name: 'Mark all read' }));
    expect(await screen.findByRole('button', { name: 'Notifications, 0 unread' })).not.toHaveTextContent('0');
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url.pathname)).toEqual(['/notifications/read-all']);
  });

  it('opening a notification marks it read and follows its link inside the client', async () => {
    signInAs(tia);
    const { calls } = mockFetch([
      { path: '/notifications/unread-count', body: { count: 1 } },
      { path: '/notifications', body: [makeNotification(5, { link: '/app/sessions/5' })] },
      { method: 'POST', path: '/notifications/5/read', body: { message: 'Read' } },
    ]);
    const { router } = renderRoutes(routes, '/my');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Notifications, 1 unread' }));
    await user.click(await screen.findByRole('button', { name: /Notice 5/ }));
    expect(await screen.findByRole('heading', { name: 'Session page' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sessions/5');
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.url.pathname).toBe('/notifications/5/read');
  });

  it('counts up live when a notification event arrives, without a reload', async () => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    signInAs(tia);
    let unread = 0;
    mockFetch([{ path: '/notifications/unread-count', respond: () => ({ body: { count: unread } }) }]);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const router = createMemoryRouter(routes, { initialEntries: ['/my'] });
    render(
      <App client={client}>
        <RouterProvider router={router} />
      </App>,
    );
    expect(await screen.findByRole('button', { name: 'Notifications, 0 unread' })).toBeInTheDocument();
    const socket = FakeSocket.all[0];
    socket.serverSends({ type: 'ready', data: { user_id: 7, last_id: 0 } });
    unread = 1;
    socket.serverSends({
      type: 'notification',
      id: 1,
      data: {
        ...makeNotification(9, { title: 'You were enrolled in a session' }),
        type: 'session_assigned',
        user_id: 7,
      },
    });
    expect(await screen.findByRole('button', { name: 'Notifications, 1 unread' })).toHaveTextContent('1');
    // The same event makes a toast.
    expect(screen.getAllByText('You were enrolled in a session').length).toBeGreaterThan(0);
    unread = 0;
    socket.serverSends({ type: 'notifications_read', id: 2, data: { user_id: 7, notification_id: null, unread: 0 } });
    expect(await screen.findByRole('button', { name: 'Notifications, 0 unread' })).toBeInTheDocument();
  });
});
