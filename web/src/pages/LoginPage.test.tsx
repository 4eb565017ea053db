import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { auth } from '../auth/session';
import { makeUser, mockFetch, renderRoutes } from '../test/utils';
import { LoginPage } from './LoginPage';

function renderLogin() {
  return renderRoutes(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '/change-password', element: <p>change password screen</p> },
      { path: '/dashboard', element: <p>dashboard screen</p> },
      { path: '/my', element: <p>trainee home</p> },
    ],
    '/login',
  );
}

async function signIn(password = 'secret-pass') {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Username or email'), 'admin');
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('LoginPage', () => {
  it('says the password is wrong on a 401', async () => {
    mockFetch([{ method: 'POST', path: '/auth/login', status: 401, body: { detail: 'Invalid credentials' } }]);
    renderLogin();
    await signIn();
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong username or password.');
    expect(auth.get().token).toBeNull();
  });

  it('says how long to wait when throttled', async () => {
    mockFetch([
      {
        method: 'POST',
        path: '/auth/login',
        status: 429,
        body: { detail: 'Too many attempts' },
        headers: { 'Retry-After': '90' },
      },
    ]);
    renderLogin();
    await signIn();
    expect(await screen.findByRole('alert')).toHaveTextContent('Please wait 2 minutes and try again.');
  });

  it('explains a server that cannot be reached', async () => {
    mockFetch([{ method: 'POST', path: '/auth/login', networkError: true }]);
    renderLogin();
    await signIn();
    expect(await screen.findByRole('alert')).toHaveTextContent('Cannot reach the server');
  });

  it('explains a server that is down', async () => {
    mockFetch([{ method: 'POST', path: '/auth/login', status: 503, body: { detail: 'Service unavailable' } }]);
    renderLogin();
    await signIn();
    expect(await screen.findByRole('alert')).toHaveTextContent('The server is not available right now.');
  });

  it('sends a user with a temporary password to change it', async () => {
    const trainee = makeUser({ id: 9, role: 'trainee', username: 'tia', is_temporary_password: true });
    mockFetch([
      {
        method: 'POST',
        path: '/auth/login',
        body: { access_token: 'abc', token_type: 'bearer', user: trainee, force_password_change: true },
      },
    ]);
    renderLogin();
    await signIn();
    expect(await screen.findByText('change password screen')).toBeInTheDocument();
    expect(auth.get().mustChangePassword).toBe(true);
    expect(sessionStorage.getItem('tms.auth')).toContain('abc');
  });

  it('shows why the previous sign-in ended', async () => {
    auth.signIn({ access_token: 't', token_type: 'bearer', user: makeUser(), force_password_change: false });
    auth.signOut('Your sign-in has ended. Please sign in again.');
    renderLogin();
    expect(screen.getByRole('status')).toHaveTextContent('Your sign-in has ended.');
  });

  it('offers a button per identity provider the server names', async () => {
    mockFetch([
      {
        path: '/auth/providers',
        body: [{ id: 'oidc', name: 'Acme SSO', login_url: 'https://tms.example.org/auth/oidc/login' }],
      },
    ]);
    renderLogin();
    const button = await screen.findByRole('link', { name: 'Sign in with Acme SSO' });
    expect(button).toHaveAttribute('href', 'https://tms.example.org/auth/oidc/login');
    // The password form stays for the accounts that use one.
    expect(screen.getByLabelText('Password')).toBeInTheDocument();
  });

  it('offers no provider without single sign-on', async () => {
    const { calls } = mockFetch([{ path: '/auth/providers', body: [] }]);
    renderLogin();
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/auth/providers')).toBe(true));
    expect(screen.queryByRole('link', { name: /Sign in with/ })).not.toBeInTheDocument();
  });
});
