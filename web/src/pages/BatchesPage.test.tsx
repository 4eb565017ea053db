import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../api/batches';
import { makeBatch } from '../test/batches';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { BatchesPage } from './BatchesPage';

const admin = makeUser();
const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });

function page() {
  return renderRoutes(
    [
      {
        path: '/batches',
        element: (
          <>
            <BatchesPage />
            <Toasts />
          </>
        ),
      },
    ],
    '/batches',
  );
}

describe('BatchesPage', () => {
  it('lists batches, searches them, creates one with its trainer and shows the server refusing a taken code', async () => {
    signInAs(admin);
    const all = [makeBatch({ trainee_count: 12 })];
    const { calls } = mockFetch([
      {
        path: '/batches',
        respond: ({ url }) => {
          const q = (url.searchParams.get('q') ?? '').toLowerCase();
          return { body: all.filter((b) => `${b.code} ${b.name}`.toLowerCase().includes(q)) };
        },
      },
      { path: '/users', body: [admin, tom] },
      {
        method: 'POST',
        path: '/batches',
        respond: ({ body }) => {
          const made = makeBatch({ ...(body as Partial<Batch>), id: 4 });
          if (made.code.toLowerCase() === 'spring-26')
            return { status: 409, body: { detail: 'The code spring-26 is already in use' } };
          all.push(made);
          return { status: 201, body: made };
        },
      },
    ]);
    page();
    const table = await screen.findByTestId('batches-table');
    expect(within(table).getByRole('link', { name: 'SPRING-26' })).toHaveAttribute('href', '/batches/3');
    expect(within(table).getByText('12')).toBeInTheDocument();
    const user = userEvent.setup();

    await user.type(screen.getByLabelText('Search batches'), 'autumn');
    expect(await screen.findByText('No batch matches.')).toBeInTheDocument();
    await user.clear(screen.getByLabelText('Search batches'));

    await user.click(screen.getByRole('button', { name: 'New batch' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Code'), 'spring-26');
    await user.type(within(dialog).getByLabelText('Name'), 'Again');
    await user.type(within(dialog).getByLabelText('Starts on'), '2026-09-01');
    await user.type(within(dialog).getByLabelText('Ends on'), '2026-08-01');
    await user.click(within(dialog).getByRole('button', { name: 'Create batch' }));
    expect(await within(dialog).findByText('The batch cannot end before it starts.')).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await user.clear(within(dialog).getByLabelText('Ends on'));
    await user.type(within(dialog).getByLabelText('Ends on'), '2026-12-01');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Tom Trainer' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create batch' }));
    expect(await within(dialog).findByText(/already in use/)).toBeInTheDocument();

    const code = within(dialog).getByLabelText('Code');
    await user.clear(code);
    await user.type(code, 'AUTUMN-26');
    await user.click(within(dialog).getByRole('button', { name: 'Create batch' }));
    expect(await screen.findByText('Batch AUTUMN-26 saved')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)[1]).toEqual({
      code: 'AUTUMN-26',
      name: 'Again',
      description: null,
      starts_on: '2026-09-01',
      ends_on: '2026-12-01',
      trainer_ids: [2],
    });
    await waitFor(() => expect(within(screen.getByTestId('batches-table')).getAllByRole('row')).toHaveLength(3));
  });

  it('edits and deletes a batch', async () => {
    signInAs(admin);
    let all = [makeBatch({ description: 'First cohort', trainer_ids: [2] })];
    const { calls } = mockFetch([
      { path: '/batches', respond: () => ({ body: all }) },
      { path: '/users', body: [admin, tom] },
      {
        method: 'PUT',
        path: '/batches/3',
        respond: ({ body }) => {
          all = [{ ...all[0], ...(body as Partial<Batch>) }];
          return { body: all[0] };
        },
      },
      {
        method: 'DELETE',
        path: '/batches/3',
        respond: () => {
          all = [];
          return { body: { message: 'Batch deleted' } };
        },
      },
    ]);
    page();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Edit SPRING-26' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('checkbox', { name: 'Tom Trainer' })).toBeChecked();
    const name = within(dialog).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'Spring');
    await user.click(within(dialog).getByRole('button', { name: 'Save batch' }));
    expect(await screen.findByText('Batch SPRING-26 saved')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({ name: 'Spring', trainer_ids: [2] });

    await user.click(await screen.findByRole('button', { name: 'Delete SPRING-26' }));
    await user.click(await screen.findByRole('button', { name: 'Delete batch' }));
    expect(await screen.findByText('Batch SPRING-26 deleted')).toBeInTheDocument();
    expect(await screen.findByText('No batches yet.')).toBeInTheDocument();
  });

  it('shows a trainer their batches without the admin actions', async () => {
    signInAs(tom);
    mockFetch([{ path: '/batches', body: [makeBatch({ trainer_ids: [2] })] }]);
    page();
    expect(await screen.findByRole('link', { name: 'SPRING-26' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New batch' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Edit/ })).not.toBeInTheDocument();
  });
});
