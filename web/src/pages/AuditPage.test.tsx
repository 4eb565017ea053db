import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../api/types';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { AuditPage } from './AuditPage';

const admin = makeUser();
const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });

function entry(id: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    at: '2026-05-04T08:00:00+00:00',
    actor_id: 1,
    actor: 'Ada Admin',
    action: 'session.updated',
    target_type: 'session',
    target_id: 12,
    client_address: '192.0.2.10',
    changes: {},
    ...overrides,
  };
}

describe('AuditPage', () => {
  it('shows who changed what, from where, with each change as before and after', async () => {
    signInAs(admin);
    mockFetch([
      { path: '/users', body: [admin, tom] },
      {
        path: '/audit',
        body: [
          entry(2, { changes: { title: ['First aid', 'First aid II'], duration_minutes: [60, 90] } }),
          entry(1, {
            actor_id: null,
            actor: null,
            action: 'user.locked',
            target_type: 'user',
            target_id: 2,
            client_address: null,
          }),
        ],
      },
    ]);
    renderPage(<AuditPage />);
    const rows = within(await screen.findByTestId('audit-table'))
      .getAllByRole('row')
      .slice(1);
    expect(within(rows[0]).getByText('Ada Admin')).toBeInTheDocument();
    expect(rows[0]).toHaveTextContent('session #12');
    const changes = within(rows[0])
      .getAllByRole('listitem')
      .map((item) => item.textContent);
    expect(changes).toEqual(['title: First aid → First aid II', 'duration_minutes: 60 → 90']);
    expect(rows[0]).toHaveTextContent('192.0.2.10');
    // Changes made by the system itself have no actor and no address.
    expect(within(rows[1]).getByText('system')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('user #2');
  });

  it('sends the chosen filters as the API takes them, and pages on', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users', body: [admin, tom] },
      {
        path: '/audit',
        respond: ({ url }) => ({
          body: url.searchParams.get('skip') === '50' ? [entry(1)] : Array.from({ length: 50 }, (_, i) => entry(i + 2)),
        }),
      },
    ]);
    renderPage(<AuditPage />);
    const user = userEvent.setup();
    await screen.findByTestId('audit-table');
    await user.selectOptions(screen.getByLabelText('Who'), 'Tom Trainer');
    await user.selectOptions(screen.getByLabelText('Action'), 'session.deleted');
    await user.type(screen.getByLabelText('Target id'), '12');
    const lastQuery = () => calls.filter((c) => c.url.pathname === '/audit').at(-1)?.url.searchParams;
    await waitFor(() => expect(lastQuery()?.get('target_id')).toBe('12'));
    expect(Object.fromEntries(lastQuery() ?? [])).toEqual({
      actor_id: '2',
      action: 'session.deleted',
      target_id: '12',
      skip: '0',
      limit: '50',
    });

    // A target id that is not a number is not sent.
    await user.type(screen.getByLabelText('Target id'), 'x');
    await waitFor(() => expect(lastQuery()?.has('target_id')).toBe(false));

    await user.click(await screen.findByRole('button', { name: 'Next' }));
    await waitFor(() => expect(lastQuery()?.get('skip')).toBe('50'));
    expect(await screen.findByText('Page 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
  });
});
