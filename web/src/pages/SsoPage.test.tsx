import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { auth, takeProviderSignIn } from '../auth/session';
import { makeUser, mockFetch, renderRoutes } from '../test/utils';
import { codeFromHash, SsoPage } from './SsoPage';

const CODE = 'Xq3v2mF0hN-1bq7b9PZ0o0o4x1kQy5o7C2LdS1m3rG8';

function renderSso(path = `/sso#code=${CODE}`) {
  return renderRoutes(
    [
      { path: '/sso', element: <SsoPage /> },
      { path: '/login', element: <p>sign-in screen</p> },
      { path: '/sessions', element: <p>trainer home</p> },
      { path: '/change-password', element: <p>change password screen</p> },
    ],
    path,
  );
}

describe('SsoPage', () => {
  it('reads the code from the fragment the server sends the browser to', () => {
    expect(codeFromHash(`#code=${CODE}`)).toBe(CODE);
    expect(codeFromHash('#state=x')).toBe('');
  });

  it('trades the code for a sign-in once and lands on the home page', async () => {
    const trainer = makeUser({ id: 4, role: 'trainer', username: 'ada' });
    const { calls } = mockFetch([
      {
        method: 'POST',
        path: '/auth/oidc/exchange',
        body: { access_token: 'sso-token', token_type: 'bearer', user: trainer, force_password_change: false },
      },
    ]);
    renderSso();
    expect(await screen.findByText('trainer home')).toBeInTheDocument();
    const exchanges = calls.filter((c) => c.url.pathname === '/auth/oidc/exchange');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.body).toEqual({ code: CODE });
    expect(auth.get().token).toBe('sso-token');
    // Signing out will end the sign-in at the provider too.
    expect(takeProviderSignIn()).toBe(true);
    auth.signOut();
  });

  it('says so when the code was used or expired, and leads back to sign in', async () => {
    mockFetch([{ method: 'POST', path: '/auth/oidc/exchange', status: 401, body: { detail: 'unknown code' } }]);
    renderSso();
    expect(await screen.findByRole('alert')).toHaveTextContent('used already or has expired');
    expect(screen.getByRole('link', { name: 'Back to sign-in' })).toHaveAttribute('href', '/login');
    expect(auth.get().token).toBeNull();
  });

  it('asks for a new sign-in without a code', async () => {
    const { calls } = mockFetch([]);
    renderSso('/sso');
    expect(await screen.findByRole('alert')).toHaveTextContent('needs the sign-in code');
    expect(calls).toHaveLength(0);
  });
});
