import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { BackgroundJob } from '../api/types';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { JobsPage } from './JobsPage';

const admin = makeUser();

function job(id: number, overrides: Partial<BackgroundJob> = {}): BackgroundJob {
  return {
    id,
    kind: 'mail.session_assigned',
    status: 'failed',
    attempts: 5,
    idempotency_key: `mail-${id}`,
    run_after: '2026-05-04T08:00:00+00:00',
    created_at: '2026-05-04T08:00:00+00:00',
    updated_at: '2026-05-04T08:30:00+00:00',
    finished_at: '2026-05-04T08:30:00+00:00',
    last_error: 'SMTPRecipientsRefused: 550 no such user',
    ...overrides,
  };
}

describe('JobsPage', () => {
  it('lists the failed jobs first, with their last error, and retries one', async () => {
    signInAs(admin);
    let retried = false;
    const { calls } = mockFetch([
      {
        path: '/jobs',
        respond: () => ({ body: retried ? [] : [job(7), job(6, { kind: 'webhook.deliver', last_error: null })] }),
      },
      {
        method: 'POST',
        path: '/jobs/7/retry',
        respond: () => {
          retried = true;
          return { body: job(7, { status: 'queued', attempts: 0, finished_at: null }) };
        },
      },
    ]);
    renderPage(
      <>
        <JobsPage />
        <Toasts />
      </>,
    );
    const rows = within(await screen.findByTestId('jobs-table'))
      .getAllByRole('row')
      .slice(1);
    expect(rows[0]).toHaveTextContent('mail.session_assigned');
    expect(rows[0]).toHaveTextContent('550 no such user');
    expect(rows[1]).toHaveTextContent('webhook.deliver');
    const listed = calls.find((c) => c.url.pathname === '/jobs')?.url.searchParams;
    expect(Object.fromEntries(listed ?? [])).toEqual({ status: 'failed', skip: '0', limit: '50' });

    await userEvent.setup().click(within(rows[0]).getByRole('button', { name: 'Retry job #7' }));
    expect(await screen.findByText('Job #7 queued again')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByText('No failed jobs: nothing waits for you.')).toBeInTheDocument());
  });

  it('shows jobs of any status, without a retry button for those that did not fail', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      {
        path: '/jobs',
        respond: ({ url }) => ({
          body: url.searchParams.has('status') ? [] : [job(3, { status: 'succeeded', attempts: 1, last_error: null })],
        }),
      },
    ]);
    renderPage(<JobsPage />);
    await screen.findByText('No failed jobs: nothing waits for you.');
    await userEvent.setup().selectOptions(screen.getByLabelText('Status'), 'Any status');
    const table = await screen.findByTestId('jobs-table');
    expect(within(table).getByText('succeeded')).toBeInTheDocument();
    expect(within(table).queryByRole('button', { name: /Retry/ })).toBeNull();
    expect(calls.at(-1)?.url.searchParams.has('status')).toBe(false);
  });

  it('says why a retry was refused', async () => {
    signInAs(admin);
    mockFetch([
      { path: '/jobs', body: [job(9)] },
      { method: 'POST', path: '/jobs/9/retry', status: 409, body: { detail: 'Only a failed job can be retried' } },
    ]);
    renderPage(
      <>
        <JobsPage />
        <Toasts />
      </>,
    );
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Retry job #9' }));
    expect(await screen.findByText('Could not retry job #9')).toBeInTheDocument();
    expect(screen.getByText('Only a failed job can be retried')).toBeInTheDocument();
  });
});
