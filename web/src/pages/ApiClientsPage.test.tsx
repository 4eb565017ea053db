import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../api/types';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { ApiClientsPage } from './ApiClientsPage';

const admin = makeUser();

function client(id: number, overrides: Partial<ApiClient> = {}): ApiClient {
  return {
    id,
    name: 'Partner LMS',
    client_id: `tms_${id}`,
    scopes: ['sessions:read'],
    created_at: '2026-05-04T08:00:00+00:00',
    updated_at: '2026-05-04T08:00:00+00:00',
    previous_secret_valid_until: null,
    ...overrides,
  };
}

describe('ApiClientsPage', () => {
  it('creates a client with the scopes ticked and shows its secret once', async () => {
    signInAs(admin);
    let listed: ApiClient[] = [];
    const { calls } = mockFetch([
      { path: '/api-clients', respond: () => ({ body: listed }) },
      {
        method: 'POST',
        path: '/api-clients',
        respond: () => {
          listed = [client(3, { scopes: ['progress:read', 'sessions:read'] })];
          return { status: 201, body: { id: 3, client_id: 'tms_3', client_secret: 'S3cr3t-once' } };
        },
      },
    ]);
    renderPage(<ApiClientsPage />);
    const user = userEvent.setup();
    await screen.findByText('No API clients yet.');
    await user.type(screen.getByLabelText('Name'), 'Partner LMS');
    await user.click(screen.getByLabelText('sessions:read'));
    await user.click(screen.getByLabelText('progress:read'));
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    const shown = await screen.findByTestId('client-secret');
    expect(within(shown).getByRole('alert')).toHaveTextContent('not shown again');
    expect(screen.getByTestId('secret-value')).toHaveValue('S3cr3t-once');
    const sent = calls.find((c) => c.method === 'POST');
    expect(sent?.body).toEqual({ name: 'Partner LMS', scopes: ['sessions:read', 'progress:read'] });
    expect(await screen.findByTestId('clients-table')).toHaveTextContent('progress:read, sessions:read');
    await user.click(screen.getByRole('button', { name: 'I have saved it' }));
    expect(screen.queryByTestId('secret-value')).toBeNull();
  });

  it('rotates a secret (telling how long the old one works) and revokes a client', async () => {
    signInAs(admin);
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    let listed = [client(4)];
    mockFetch([
      { path: '/api-clients', respond: () => ({ body: listed }) },
      {
        method: 'POST',
        path: '/api-clients/4/rotate-secret',
        respond: () => ({
          body: {
            id: 4,
            client_id: 'tms_4',
            client_secret: 'N3w-secret',
            previous_secret_valid_until: '2026-05-05T08:00:00+00:00',
          },
        }),
      },
      {
        method: 'DELETE',
        path: '/api-clients/4',
        respond: () => {
          listed = [];
          return { body: { message: 'API client revoked' } };
        },
      },
    ]);
    renderPage(
      <>
        <ApiClientsPage />
        <Toasts />
      </>,
    );
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Rotate secret of Partner LMS' }));
    expect(await screen.findByTestId('secret-value')).toHaveValue('N3w-secret');
    expect(screen.getByRole('alert')).toHaveTextContent('The previous secret works until');
    await user.click(screen.getByRole('button', { name: 'Revoke Partner LMS' }));
    expect(await screen.findByText('Partner LMS revoked')).toBeInTheDocument();
    expect(await screen.findByText('No API clients yet.')).toBeInTheDocument();
  });
});
