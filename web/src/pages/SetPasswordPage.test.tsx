import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch, renderRoutes } from '../test/utils';
import { SetPasswordPage, tokenFromHash } from './SetPasswordPage';

const TOKEN = 'uF-8GWI0DPTecp0_s4yNL1T-2dBtH0AX5sE-ObBx37c';

function renderSetPassword(path = `/set-password#token=${TOKEN}`) {
  return renderRoutes(
    [
      { path: '/set-password', element: <SetPasswordPage /> },
      { path: '/login', element: <p>sign-in screen</p> },
      { path: '/forgot-password', element: <p>forgot screen</p> },
    ],
    path,
  );
}

async function choose(password: string, repeat = password) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('New password'), password);
  await user.type(screen.getByLabelText('Repeat the password'), repeat);
  return user;
}

describe('SetPasswordPage', () => {
  it('reads the token from the fragment the mail links to', () => {
    expect(tokenFromHash(`#token=${TOKEN}`)).toBe(TOKEN);
    expect(tokenFromHash('')).toBe('');
  });

  it('sets the password with the token and sends the person to sign in', async () => {
    const { calls } = mockFetch([
      { method: 'POST', path: '/auth/set-password', body: { message: 'Password set: sign in with it' } },
    ]);
    renderSetPassword();
    const user = await choose('quiet meadow lantern 77');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Password set: sign in with it');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      token: TOKEN,
      new_password: 'quiet meadow lantern 77',
    });
    expect(calls.every((c) => !c.url.search.includes(TOKEN))).toBe(true);
    await user.click(screen.getByRole('link', { name: 'Sign in' }));
    expect(await screen.findByText('sign-in screen')).toBeInTheDocument();
  });

  it('says when the link was used or has expired', async () => {
    mockFetch([
      {
        method: 'POST',
        path: '/auth/set-password',
        status: 400,
        body: { detail: 'This link has expired: ask for a new one' },
      },
    ]);
    renderSetPassword();
    const user = await choose('quiet meadow lantern 77');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This link has expired: ask for a new one');
    expect(screen.getByRole('link', { name: 'Ask for a new link' })).toBeInTheDocument();
  });

  it('shows the password rules the server names', async () => {
    mockFetch([
      {
        method: 'POST',
        path: '/auth/set-password',
        status: 422,
        body: {
          detail: 'Invalid password',
          errors: [{ field: 'new_password', message: 'Password must be at least 8 characters' }],
        },
      },
    ]);
    renderSetPassword();
    const user = await choose('short');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText('Password must be at least 8 characters')).toBeInTheDocument();
  });

  it('will not send two passwords that differ', async () => {
    const { calls } = mockFetch([]);
    renderSetPassword();
    await choose('quiet meadow lantern 77', 'quiet meadow lantern 78');
    expect(screen.getByText('The two passwords differ.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Set password' })).toBeDisabled();
    expect(calls).toHaveLength(0);
  });

  it('explains a link that lost its token', () => {
    mockFetch([]);
    renderSetPassword('/set-password');
    expect(screen.getByRole('alert')).toHaveTextContent('This page needs the link from your e-mail');
  });
});
