import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { auth } from '../auth/session';
import { makeUser, renderRoutes, signInAs } from '../test/utils';
import { RequireAuth, RequireRole } from './guards';

const routes = [
  { path: '/login', element: <p>sign-in page</p> },
  {
    path: '/change-password',
    element: (
      <RequireAuth>
        <p>change password page</p>
      </RequireAuth>
    ),
  },
  {
    path: '/users',
    element: (
      <RequireAuth>
        <RequireRole roles={['admin']}>
          <p>users page</p>
        </RequireRole>
      </RequireAuth>
    ),
  },
  {
    path: '/my',
    element: (
      <RequireAuth>
        <p>trainee page</p>
      </RequireAuth>
    ),
  },
];

describe('guards', () => {
  it('sends a signed-out visitor to sign in', () => {
    renderRoutes(routes, '/users');
    expect(screen.getByText('sign-in page')).toBeInTheDocument();
  });

  it('keeps a user with a temporary password on the change-password page', () => {
    signInAs(makeUser(), true);
    renderRoutes(routes, '/users');
    expect(screen.getByText('change password page')).toBeInTheDocument();
  });

  it('sends a trainee away from admin pages, and everyone to sign in when the sign-in ends', () => {
    signInAs(makeUser({ id: 4, role: 'trainee' }));
    renderRoutes(routes, '/users');
    expect(screen.getByText('trainee page')).toBeInTheDocument();
    act(() => auth.signOut('Your sign-in has ended. Please sign in again.'));
    expect(screen.getByText('sign-in page')).toBeInTheDocument();
  });
});
