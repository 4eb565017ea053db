import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { auth } from '../auth/session';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { ProfilePage } from './ProfilePage';

const tom = makeUser({
  id: 2,
  username: 'tom',
  role: 'trainer',
  first_name: 'Tom',
  last_name: 'Trainer',
  email: 'tom@x.test',
  created_at: '2026-01-15T09:00:00+00:00',
});

function section(name: string): HTMLElement {
  return screen.getByRole('heading', { name }).closest('section') as HTMLElement;
}

describe('ProfilePage', () => {
  it('shows the account and saves a new name and email, here and in the header', async () => {
    signInAs(tom);
    const { calls } = mockFetch([
      { path: '/users/2', body: tom },
      {
        method: 'PUT',
        path: '/users/2',
        respond: ({ body }) => ({ body: { ...tom, ...(body as object), name: 'Thomas Trainer' } }),
      },
    ]);
    renderPage(<ProfilePage />);
    const account = within(await screen.findByRole('region', { name: 'Account' }));
    expect(account.getByText('tom')).toBeInTheDocument();
    expect(account.getByText('trainer')).toBeInTheDocument();

    const user = userEvent.setup();
    const form = within(section('Name and email'));
    await user.clear(form.getByLabelText('First name'));
    await user.type(form.getByLabelText('First name'), '  Thomas ');
    await user.clear(form.getByLabelText('Email'));
    await user.type(form.getByLabelText('Email'), 'thomas@x.test');
    await user.click(form.getByRole('button', { name: 'Save profile' }));

    await waitFor(() => expect(auth.get().user?.name).toBe('Thomas Trainer'));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      first_name: 'Thomas',
      last_name: 'Trainer',
      email: 'thomas@x.test',
    });
  });

  it("shows the server's word on a field next to that field", async () => {
    signInAs(tom);
    mockFetch([
      { path: '/users/2', body: tom },
      {
        method: 'PUT',
        path: '/users/2',
        status: 400,
        body: { detail: 'Invalid data', errors: [{ field: 'email', message: 'is already used by another account' }] },
      },
    ]);
    renderPage(<ProfilePage />);
    const user = userEvent.setup();
    await screen.findByRole('region', { name: 'Account' });
    const form = within(section('Name and email'));
    await user.click(form.getByRole('button', { name: 'Save profile' }));
    const email = form.getByLabelText('Email');
    await waitFor(() => expect(email).toHaveAttribute('aria-invalid', 'true'));
    expect(email).toHaveAccessibleDescription(expect.stringContaining('is already used by another account'));
  });

  it('asks for the current password before changing it', async () => {
    signInAs(tom);
    const { calls } = mockFetch([
      { path: '/users/2', body: tom },
      { method: 'POST', path: '/auth/change-password', body: { message: 'Password changed' } },
    ]);
    renderPage(<ProfilePage />);
    const user = userEvent.setup();
    await screen.findByRole('region', { name: 'Account' });
    const password = within(section('Password'));
    await user.type(password.getByLabelText('Current password'), 'old secret 1');
    await user.type(password.getByLabelText('New password'), 'new secret 22');
    await user.type(password.getByLabelText('Repeat the new password'), 'new secret 22');
    await user.click(password.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(password.getByLabelText('New password')).toHaveValue(''));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      current_password: 'old secret 1',
      new_password: 'new secret 22',
    });
  });

  it('does not ask a user with a temporary password for it', async () => {
    const fresh = { ...tom, is_temporary_password: true };
    signInAs(fresh);
    mockFetch([{ path: '/users/2', body: fresh }]);
    renderPage(<ProfilePage />);
    await screen.findByRole('region', { name: 'Account' });
    expect(within(section('Password')).queryByLabelText('Current password')).not.toBeInTheDocument();
    expect(within(section('Password')).getByLabelText('New password')).toBeInTheDocument();
  });
});
