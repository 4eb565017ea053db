import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { ComplianceRow } from '../api/certificates';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { CompliancePage } from './CompliancePage';

const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });

const csvReport = {
  path: '/compliance/report',
  respond: () => ({
    body: 'Trainee,Trainee id',
    headers: {
      'content-type': 'text/csv',
      'content-disposition': 'attachment; filename="compliance-20260501.csv"',
    },
  }),
};

const row = (overrides: Partial<ComplianceRow>): ComplianceRow => ({
  trainee: { id: 4, name: 'Pia Doe' },
  course: { id: 3, title: 'Fire safety' },
  status: 'expiring',
  certificate_id: 7,
  issued_at: '2026-05-01T09:00:00+00:00',
  expires_at: '2026-06-01T09:00:00+00:00',
  ...overrides,
});

describe('CompliancePage', () => {
  it('filters by course, batch and status, renews an expiring certificate and downloads the report', async () => {
    signInAs(tom);
    const rows = [row({}), row({ trainee: { id: 5, name: 'Paul Doe' }, status: 'missing', certificate_id: null })];
    const { calls } = mockFetch([
      {
        path: '/compliance',
        respond: ({ url }) => {
          const status = url.searchParams.get('status');
          return { body: rows.filter((r) => !status || r.status === status) };
        },
      },
      { path: '/courses', body: [{ id: 3, title: 'Fire safety' }] },
      { path: '/batches', body: [{ id: 9, code: 'SPRING-26' }] },
      { method: 'POST', path: '/certificates/7/renew', body: {} },
      csvReport,
    ]);
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }));
    renderRoutes(
      [
        {
          path: '/compliance',
          element: (
            <>
              <CompliancePage />
              <Toasts />
            </>
          ),
        },
      ],
      '/compliance',
    );
    const table = await screen.findByTestId('compliance-table');
    expect(within(table).getByText('Paul Doe')).toBeInTheDocument();
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Status'), 'missing');
    await waitFor(() => expect(screen.queryByText('Pia Doe')).toBeNull());
    await user.selectOptions(screen.getByLabelText('Status'), '');
    await user.selectOptions(await screen.findByLabelText('Course'), 'Fire safety');
    await user.selectOptions(screen.getByLabelText('Batch'), 'SPRING-26');
    await waitFor(() =>
      expect(calls.some((c) => c.url.pathname === '/compliance' && c.url.searchParams.get('batch_id') === '9')).toBe(
        true,
      ),
    );
    await user.click(await screen.findByRole('button', { name: 'Renew for Pia Doe' }));
    expect(await screen.findByText('The trainee takes the course again')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Renew for Paul Doe' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/compliance/report')).toBe(true));
    const report = calls.find((c) => c.url.pathname === '/compliance/report');
    expect(report?.url.searchParams.get('format')).toBe('csv');
    expect(report?.url.searchParams.get('course_id')).toBe('3');
    expect(report?.url.searchParams.get('batch_id')).toBe('9');
    expect(screen.queryByLabelText('Trainer')).toBeNull();
  });

  it("lets an admin narrow the rows to one trainer's trainees, in the report too", async () => {
    signInAs(makeUser({ id: 1, username: 'admin', role: 'admin' }));
    const { calls } = mockFetch([
      {
        path: '/compliance',
        respond: ({ url }) => ({ body: url.searchParams.get('trainer_id') === '2' ? [row({})] : [] }),
      },
      { path: '/courses', body: [] },
      { path: '/batches', body: [] },
      {
        path: '/users',
        body: [tom, makeUser({ id: 4, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' })],
      },
      csvReport,
    ]);
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: vi.fn(() => 'blob:x'), revokeObjectURL: vi.fn() }));
    renderRoutes([{ path: '/compliance', element: <CompliancePage /> }], '/compliance');
    expect(await screen.findByText('Nobody to show.')).toBeInTheDocument();
    const trainer = await screen.findByLabelText('Trainer');
    await waitFor(() =>
      expect(
        within(trainer)
          .getAllByRole('option')
          .map((o) => o.textContent),
      ).toEqual(['Any trainer', 'Tom Trainer']),
    );
    const user = userEvent.setup();
    await user.selectOptions(trainer, String(tom.id));
    expect(await screen.findByText('Pia Doe')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/compliance/report')).toBe(true));
    expect(calls.find((c) => c.url.pathname === '/compliance/report')?.url.searchParams.get('trainer_id')).toBe('2');
  });
});
