import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Webhook, WebhookDelivery } from '../api/types';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { WebhooksPage } from './WebhooksPage';

const admin = makeUser();

function hook(overrides: Partial<Webhook> = {}): Webhook {
  return {
    id: 5,
    url: 'https://partner.example.com/hook',
    events: ['room_created'],
    enabled: true,
    disabled_reason: null,
    created_at: '2026-05-04T08:00:00+00:00',
    updated_at: '2026-05-04T08:00:00+00:00',
    ...overrides,
  };
}

const delivery: WebhookDelivery = {
  id: 1,
  message_id: 'msg_test_1',
  event_type: 'webhook.test',
  attempt: 1,
  status: 'failed',
  status_code: 500,
  duration_ms: 41.2,
  response_body: 'upstream broke',
  error: null,
  at: '2026-05-04T08:01:00+00:00',
  next_attempt_at: null,
};

describe('WebhooksPage', () => {
  it('creates a subscription to the ticked event types and shows its secret once', async () => {
    signInAs(admin);
    let listed: Webhook[] = [];
    const { calls } = mockFetch([
      { path: '/webhooks', respond: () => ({ body: listed }) },
      { path: '/webhooks/event-types', respond: () => ({ body: { events: ['room_created', 'session_created'] } }) },
      {
        method: 'POST',
        path: '/webhooks',
        respond: () => {
          listed = [hook({ events: ['session_created'] })];
          return { status: 201, body: { ...listed[0], secret: 'whsec_c2VjcmV0' } };
        },
      },
    ]);
    renderPage(<WebhooksPage />);
    const user = userEvent.setup();
    await screen.findByText('No webhooks yet.');
    await user.type(screen.getByLabelText('URL'), 'https://partner.example.com/hook');
    await user.click(await screen.findByLabelText('session_created'));
    await user.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect(await screen.findByTestId('secret-value')).toHaveValue('whsec_c2VjcmV0');
    expect(screen.getByRole('alert')).toHaveTextContent('not shown again');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      url: 'https://partner.example.com/hook',
      events: ['session_created'],
    });
    expect(await screen.findByTestId('webhooks-table')).toHaveTextContent('session_created');
  });

  it('refuses a private URL with the server message, disables, tests and shows the log', async () => {
    signInAs(admin);
    let current = hook();
    const { calls } = mockFetch([
      { path: '/webhooks', respond: () => ({ body: [current] }) },
      { path: '/webhooks/event-types', respond: () => ({ body: { events: ['room_created'] } }) },
      {
        method: 'POST',
        path: '/webhooks',
        respond: () => ({
          status: 422,
          body: {
            detail: 'The URL points at a private address',
            errors: [{ field: 'url', message: 'The URL points at a private address' }],
          },
        }),
      },
      {
        method: 'PUT',
        path: '/webhooks/5',
        respond: () => {
          current = hook({ enabled: false, disabled_reason: 'Disabled by an admin' });
          return { body: current };
        },
      },
      {
        method: 'POST',
        path: '/webhooks/5/test',
        respond: () => ({ status: 202, body: { message_id: 'msg_test_1' } }),
      },
      { path: '/webhooks/5/deliveries', respond: () => ({ body: [delivery] }) },
    ]);
    renderPage(
      <>
        <WebhooksPage />
        <Toasts />
      </>,
    );
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('URL'), 'http://127.0.0.1/hook');
    await user.click(await screen.findByLabelText('room_created'));
    await user.click(screen.getByRole('button', { name: 'Create webhook' }));
    expect((await screen.findAllByText(/private address/)).length).toBeGreaterThan(0);

    await user.click(screen.getByRole('button', { name: 'Disable https://partner.example.com/hook' }));
    expect(await screen.findByText('Disabled: Disabled by an admin')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ enabled: false });

    await user.click(screen.getByRole('button', { name: 'Send test to https://partner.example.com/hook' }));
    expect(await screen.findByText('Test queued')).toBeInTheDocument();
    const log = await screen.findByTestId('deliveries-table');
    const row = within(log).getAllByRole('row')[1];
    expect(row).toHaveTextContent('failed (500)');
    expect(row).toHaveTextContent('upstream broke');
    expect(row).toHaveTextContent('41 ms');
  });
});
