import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { auth } from '../auth/session';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { Layout } from './Layout';

const routes = [
  {
    element: <Layout />,
    children: [
      { path: '/dashboard', element: <h1>Dashboard</h1> },
      { path: '/users', element: <h1>Users</h1> },
    ],
  },
];

describe('Layout', () => {
  it('shows the navigation of the role, and following a link closes the menu', async () => {
    signInAs(makeUser());
    renderRoutes(routes, '/dashboard');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(Array.from(nav.querySelectorAll('ul a')).map((link) => link.textContent)).toEqual([
      'Dashboard',
      'Users',
      'Import users',
      'Sessions',
      'Calendar',
      'Courses',
      'Batches',
      'Skills',
      'Skills matrix',
      'Grading',
      'Certificates',
      'Compliance',
      'Rooms',
      'Assignments',
      'Analytics',
      'Reports',
      'Audit log',
      'Background jobs',
      'API clients',
      'Webhooks',
    ]);

    const menu = screen.getByRole('button', { name: 'Menu' });
    await userEvent.click(menu);
    expect(menu).toHaveAttribute('aria-expanded', 'true');
    await userEvent.click(screen.getByRole('link', { name: 'Users' }));
    expect(await screen.findByRole('heading', { name: 'Users' })).toBeInTheDocument();
    expect(menu).toHaveAttribute('aria-expanded', 'false');
  });

  it('signs out on the server and here', async () => {
    signInAs(makeUser({ id: 3, role: 'trainee', first_name: 'Tia', last_name: 'Trainee' }));
    const { calls } = mockFetch([
      { method: 'POST', path: '/auth/logout', body: { message: 'Signed out' } },
      { path: '/notifications/unread-count', body: { count: 2 } },
    ]);
    renderRoutes(routes, '/dashboard');
    expect(screen.getByRole('link', { name: 'My training' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'My learning' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Book a session' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Calendar' })).toHaveAttribute('href', '/calendar');
    expect(screen.queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
    // Every role has the bell with its unread count in the header.
    expect(await screen.findByRole('button', { name: 'Notifications, 2 unread' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(auth.get().token).toBeNull());
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.url.pathname)).toEqual(['/auth/logout']);
    expect(posts[0].headers.get('Authorization')).toBe('Bearer token-3');
    expect(auth.get().notice).toBe('You have signed out.');
  });

  it('has no bell while a temporary password must be changed (the server would refuse the count)', async () => {
    signInAs(makeUser({ id: 3, role: 'trainee' }), true);
    const { calls } = mockFetch([]);
    renderRoutes(
      [{ element: <Layout />, children: [{ path: '/change-password', element: <h1>Change</h1> }] }],
      '/change-password',
    );
    expect(await screen.findByRole('heading', { name: 'Change' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Notifications/ })).not.toBeInTheDocument();
    expect(calls).toEqual([]);
  });
});
