import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { auth } from '../auth/session';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { ChangePasswordPage } from './ChangePasswordPage';

function renderPage() {
  return renderRoutes(
    [
      { path: '/change-password', element: <ChangePasswordPage /> },
      { path: '/my', element: <p>trainee home</p> },
    ],
    '/change-password',
  );
}

describe('forced password change', () => {
  it('checks the length live, then shows every policy message from the server next to the field', async () => {
    signInAs(makeUser({ id: 9, role: 'trainee', is_temporary_password: true }), true);
    const { calls } = mockFetch([
      {
        method: 'POST',
        path: '/auth/change-password',
        status: 422,
        body: {
          detail: 'The new password does not meet the password policy.',
          errors: [
            { field: 'new_password', message: 'The password is too common.' },
            { field: 'new_password', message: 'Add a symbol.' },
          ],
        },
      },
    ]);
    renderPage();
    const user = userEvent.setup();
    expect(screen.queryByLabelText('Current password')).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('New password'), 'short');
    expect(screen.getByText(/At least 8 characters \(5 so far\)/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByText('Use at least 8 characters.')).toBeInTheDocument();
    expect(calls).toHaveLength(0);

    await user.type(screen.getByLabelText('New password'), 'word1');
    await user.type(screen.getByLabelText('Repeat the new password'), 'shortword1');
    expect(screen.getByText(/Length OK/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('The password is too common.')).toBeInTheDocument();
    expect(screen.getByText('Add a symbol.')).toBeInTheDocument();
    expect(screen.getByLabelText('New password')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('alert')).toHaveTextContent('The new password does not meet the password policy.');
    expect(calls[0].body).toEqual({ new_password: 'shortword1' });
  });

  it('goes on once the password is changed', async () => {
    signInAs(makeUser({ id: 9, role: 'trainee', is_temporary_password: true }), true);
    mockFetch([{ method: 'POST', path: '/auth/change-password', body: { message: 'Password changed' } }]);
    renderPage();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('New password'), 'A-much-better-pass-2026');
    await user.type(screen.getByLabelText('Repeat the new password'), 'A-much-better-pass-2026');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('trainee home')).toBeInTheDocument();
    expect(auth.get().mustChangePassword).toBe(false);
    expect(auth.get().user?.is_temporary_password).toBe(false);
  });
});
