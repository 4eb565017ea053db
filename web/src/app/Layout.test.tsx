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
      'Sessions',
      'Calendar',
      'Courses',
      'Rooms',
      'Assignments',
      'Analytics',
      'Reports',
      'Audit log',
      'Background jobs',
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
    const { calls } = mockFetch([{ method: 'POST', path: '/auth/logout', body: { message: 'Signed out' } }]);
    renderRoutes(routes, '/dashboard');
    expect(screen.getByRole('link', { name: 'My training' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'My learning' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Book a session' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Calendar' })).toHaveAttribute('href', '/calendar');
    expect(screen.queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(auth.get().token).toBeNull());
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(['POST /auth/logout']);
    expect(calls[0].headers.get('Authorization')).toBe('Bearer token-3');
    expect(auth.get().notice).toBe('You have signed out.');
  });
});
