import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { UsersPage } from './UsersPage';

const admin = makeUser();
const trainer = makeUser({
  id: 2,
  username: 'tom',
  role: 'trainer',
  first_name: 'Tom',
  last_name: 'Trainer',
  email: 'tom@x.test',
});
const trainee = makeUser({
  id: 3,
  username: 'tia',
  role: 'trainee',
  first_name: 'Tia',
  last_name: 'Trainee',
  email: 'tia@x.test',
});

describe('UsersPage', () => {
  it('filters by role and search text', async () => {
    signInAs(admin);
    mockFetch([{ path: '/users', body: [admin, trainer, trainee] }]);
    renderPage(<UsersPage />);
    expect(await screen.findByTestId('user-row-tom')).toBeInTheDocument();
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Role'), 'trainee');
    expect(screen.queryByTestId('user-row-tom')).not.toBeInTheDocument();
    expect(screen.getByTestId('user-row-tia')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Role'), '');
    await user.type(screen.getByLabelText('Search'), 'tom@');
    expect(screen.queryByTestId('user-row-tia')).not.toBeInTheDocument();
    expect(screen.getByTestId('user-row-tom')).toBeInTheDocument();
  });

  it('shows the generated temporary password once, with a copy button', async () => {
    signInAs(admin);
    const created = makeUser({ id: 4, username: 'neo', role: 'trainee', is_temporary_password: true });
    const { calls } = mockFetch([
      { path: '/users', body: [admin] },
      {
        method: 'POST',
        path: '/users',
        status: 201,
        body: { user: created, temporary_password: 'Tmp#Pass-123456', message: 'created' },
      },
    ]);
    renderPage(<UsersPage />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New user' }));
    const dialog = await screen.findByRole('dialog', { name: 'New user' });
    await user.type(within(dialog).getByLabelText('Username'), 'neo');
    await user.type(within(dialog).getByLabelText('Email'), 'neo@x.test');
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    const shown = await screen.findByRole('dialog', { name: 'User created' });
    expect(within(shown).getByLabelText('Temporary password')).toHaveValue('Tmp#Pass-123456');
    expect(within(shown).getByRole('button', { name: 'Copy' })).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ username: 'neo', role: 'trainee' });
    await user.click(within(shown).getByRole('button', { name: 'Done' }));
    expect(screen.queryByDisplayValue('Tmp#Pass-123456')).not.toBeInTheDocument();
  });

  it('explains why a trainer cannot be deleted, and offers reassigning', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users', body: [admin, trainer] },
      {
        method: 'DELETE',
        path: '/users/2',
        respond: ({ url }) =>
          url.searchParams.get('reassign_to') === '1'
            ? { body: { message: 'deleted' } }
            : { status: 409, body: { detail: 'Tom Trainer trains 2 sessions; reassign them or delete them too.' } },
      },
    ]);
    renderPage(<UsersPage />);
    const user = userEvent.setup();
    const row = await screen.findByTestId('user-row-tom');
    await user.click(within(row).getByRole('button', { name: 'Delete tom' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete tom' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete user' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Tom Trainer trains 2 sessions');
    await user.click(within(dialog).getByLabelText(/Give their sessions to another trainer/));
    await user.selectOptions(within(dialog).getByLabelText('New trainer'), '1');
    await user.click(within(dialog).getByRole('button', { name: 'Delete user' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(calls.filter((c) => c.method === 'DELETE').at(-1)?.url.search).toBe('?reassign_to=1');
  });

  it('sends an invitation instead of showing a temporary password', async () => {
    signInAs(admin);
    const created = makeUser({ id: 5, username: 'ivy', role: 'trainee', is_temporary_password: true });
    const { calls } = mockFetch([
      { path: '/users', body: [admin] },
      {
        method: 'POST',
        path: '/users',
        status: 201,
        body: { user: created, message: 'User created: an invitation is on its way to ivy@x.test' },
      },
    ]);
    renderPage(
      <>
        <UsersPage />
        <Toasts />
      </>,
    );
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New user' }));
    const dialog = await screen.findByRole('dialog', { name: 'New user' });
    await user.type(within(dialog).getByLabelText('Username'), 'ivy');
    await user.type(within(dialog).getByLabelText('Email'), 'ivy@x.test');
    await user.click(within(dialog).getByLabelText('Send invitation instead of a temporary password'));
    expect(within(dialog).getByText(/link to choose their own password/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('User ivy created')).toBeInTheDocument();
    expect(screen.queryByRole('dialog', { name: 'User created' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Temporary password')).not.toBeInTheDocument();
    expect(calls.find((c) => c.method === 'POST')?.body).toMatchObject({ username: 'ivy', invite: true });
  });

  it('resends an invitation to a user', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users', body: [admin, trainee] },
      {
        method: 'POST',
        path: '/users/3/invite',
        status: 202,
        body: { message: 'An invitation is on its way to tia@x.test' },
      },
    ]);
    renderPage(
      <>
        <UsersPage />
        <Toasts />
      </>,
    );
    const user = userEvent.setup();
    const row = await screen.findByTestId('user-row-tia');
    await user.click(within(row).getByRole('button', { name: 'Resend invitation to tia' }));
    expect(await screen.findByText('Invitation sent to tia')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.url.pathname)).toEqual(['/users/3/invite']);
  });
});
