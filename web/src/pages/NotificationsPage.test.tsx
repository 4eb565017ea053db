import { QueryClient } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../app/App';
import { FakeSocket } from '../test/fakes';
import { makeNotification } from '../test/notifications';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { NOTIFICATIONS_PAGE, NotificationsPage } from './NotificationsPage';

const tia = makeUser({ id: 7, role: 'trainee', username: 'tia', first_name: 'Tia', last_name: 'Trainee' });
const routes = [
  { path: '/notifications', element: <NotificationsPage /> },
  { path: '/sessions/:id', element: <h1>Session page</h1> },
];

const lists = (calls: { url: URL }[]) => calls.filter((c) => c.url.pathname === '/notifications').map((c) => c.url);

describe('NotificationsPage', () => {
  it('lists the notifications newest first as the server gives them, unread ones marked', async () => {
    signInAs(tia);
    const { calls } = mockFetch([
      { path: '/notifications/unread-count', body: { count: 1 } },
      {
        path: '/notifications',
        body: [
          makeNotification(2, { title: 'Session moved' }),
          makeNotification(1, { title: 'Enrolled', read_at: '2027-01-12T10:00:00Z' }),
        ],
      },
    ]);
    renderRoutes(routes, '/notifications');
    const list = await screen.findByRole('list', { name: 'Notifications' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.notification-open')?.textContent)).toEqual([
      expect.stringMatching(/^Unread: Session moved/),
      expect.stringMatching(/^Enrolled/),
    ]);
    expect(within(items[0]).getByRole('button', { name: 'Mark “Session moved” read' })).toBeInTheDocument();
    expect(within(items[1]).queryByRole('button', { name: /^Mark/ })).not.toBeInTheDocument();
    expect(screen.getByTestId('unread-summary')).toHaveTextContent('1 unread');
    const asked = lists(calls)[0];
    expect(asked.searchParams.get('skip')).toBe('0');
    expect(asked.searchParams.get('limit')).toBe(String(NOTIFICATIONS_PAGE + 1));
    expect(asked.searchParams.get('unread')).toBeNull();
  });

  it('filters to unread ones and pages on', async () => {
    signInAs(tia);
    const many = Array.from({ length: NOTIFICATIONS_PAGE + 1 }, (_, i) => makeNotification(100 - i));
    const { calls } = mockFetch([
      { path: '/notifications/unread-count', body: { count: 30 } },
      {
        path: '/notifications',
        respond: ({ url }) => ({ body: url.searchParams.get('skip') === '0' ? many : [makeNotification(1)] }),
      },
    ]);
    const { router } = renderRoutes(routes, '/notifications');
    const user = userEvent.setup();
    await screen.findByText('Notice 100');
    expect(screen.queryByText('Notice 80')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Unread' }));
    await waitFor(() => expect(lists(calls).some((u) => u.searchParams.get('unread') === 'true')).toBe(true));
    expect(screen.getByRole('button', { name: 'Unread' })).toHaveAttribute('aria-pressed', 'true');
    await user.click(await screen.findByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Notice 1')).toBeInTheDocument();
    expect(router.state.location.search).toBe('?unread=1&page=1');
    const last = lists(calls).at(-1);
    expect(last?.searchParams.get('skip')).toBe(String(NOTIFICATIONS_PAGE));
    expect(last?.searchParams.get('unread')).toBe('true');
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
  });

  it('marks one read and marks all read', async () => {
    signInAs(tia);
    const read = new Set<number>();
    const { calls } = mockFetch([
      { path: '/notifications/unread-count', respond: () => ({ body: { count: 2 - read.size } }) },
      {
        path: '/notifications',
        respond: () => ({
          body: [2, 1].map((id) => makeNotification(id, { read_at: read.has(id) ? '2027-01-12T10:00:00Z' : null })),
        }),
      },
      {
        method: 'POST',
        path: /^\/notifications\/\d+\/read$/,
        respond: ({ url }) => {
          read.add(Number(url.pathname.split('/')[2]));
          return { body: { message: 'Read' } };
        },
      },
      {
        method: 'POST',
        path: '/notifications/read-all',
        respond: () => {
          read.add(1).add(2);
          return { body: { message: 'All read' } };
        },
      },
    ]);
    renderRoutes(routes, '/notifications');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Mark “Notice 2” read' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Mark “Notice 2” read' })).not.toBeInTheDocument());
    expect(screen.getByTestId('unread-summary')).toHaveTextContent('1 unread');
    await user.click(screen.getByRole('button', { name: 'Mark all read' }));
    await waitFor(() => expect(screen.getByTestId('unread-summary')).toHaveTextContent('All read.'));
    expect(screen.getByRole('button', { name: 'Mark all read' })).toBeDisabled();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url.pathname)).toEqual([
      '/notifications/2/read',
      '/notifications/read-all',
    ]);
  });

  it('opening one follows its link and marks it read', async () => {
    signInAs(tia);
    const { calls } = mockFetch([
      { path: '/notifications/unread-count', body: { count: 1 } },
      { path: '/notifications', body: [makeNotification(1)] },
      { method: 'POST', path: '/notifications/1/read', body: { message: 'Read' } },
    ]);
    const { router } = renderRoutes(routes, '/notifications');
    await userEvent.click(await screen.findByRole('button', { name: /^Unread.*Notice 1/ }));
    expect(await screen.findByRole('heading', { name: 'Session page' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sessions/1');
    await waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.url.pathname).toBe('/notifications/1/read');
  });

  it('shows a new notification live', async () => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
    signInAs(tia);
    let items = [makeNotification(1)];
    mockFetch([
      { path: '/notifications/unread-count', respond: () => ({ body: { count: items.length } }) },
      { path: '/notifications', respond: () => ({ body: items }) },
    ]);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const router = createMemoryRouter(routes, { initialEntries: ['/notifications'] });
    render(
      <App client={client}>
        <RouterProvider router={router} />
      </App>,
    );
    expect(await screen.findByText('Notice 1')).toBeInTheDocument();
    const socket = FakeSocket.all[0];
    socket.serverSends({ type: 'ready', data: { user_id: 7, last_id: 0 } });
    const fresh = makeNotification(2, { title: 'Session cancelled', kind: 'session_cancelled' });
    items = [fresh, ...items];
    socket.serverSends({ type: 'notification', id: 1, data: { ...fresh, type: 'session_cancelled', user_id: 7 } });
    const list = screen.getByRole('list', { name: 'Notifications' });
    expect(await within(list).findByText('Session cancelled')).toBeInTheDocument();
    expect(screen.getByTestId('unread-summary')).toHaveTextContent('2 unread');
  });
});
