import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { ReportsPage, reportQuery } from './ReportsPage';

const admin = makeUser();
const tom = makeUser({ id: 4, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });

describe('reportQuery', () => {
  it('sends only the filters that are set, with an exclusive end', () => {
    const all = ['summary', 'users', 'sessions', 'attendance', 'progress', 'courses'];
    expect(reportQuery({ from: '', to: '', trainer: '', status: '', sections: all }, 'pdf')).toEqual({
      bom: undefined,
      format: 'pdf',
      from: null,
      to: null,
      trainer_id: null,
      status: null,
      course_id: null,
      sections: null,
    });
    const q = reportQuery(
      {
        from: '2026-05-01',
        to: '2026-05-31',
        trainer: '4',
        status: 'completed',
        course: '12',
        sections: ['users', 'sessions', 'courses'],
        bom: true,
      },
      'csv',
    );
    expect(q).toMatchObject({
      format: 'csv',
      bom: true,
      trainer_id: 4,
      status: 'completed',
      course_id: 12,
      sections: 'users,sessions,courses',
    });
    expect(new Date(String(q.to)).getDate()).toBe(1);
    expect(new Date(String(q.to)).getMonth()).toBe(5);
  });
});

describe('ReportsPage', () => {
  // jsdom has no object URLs and does not download: the page's hand-over to the browser is recorded instead.
  const saved: { name: string; type: string }[] = [];
  beforeEach(() => {
    saved.length = 0;
    let blob = new Blob();
    URL.createObjectURL = vi.fn((object: Blob | MediaSource) => {
      blob = object as Blob;
      return 'blob:report';
    });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, type: blob.type });
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('downloads the report with the chosen filters, under the name the server gives', async () => {
    signInAs(admin);
    const { calls } = mockFetch([
      { path: '/users', body: [admin, tom] },
      {
        path: '/reports/generate',
        body: 'the report',
        headers: {
          'content-type': 'application/pdf',
          'content-disposition': 'attachment; filename=training-report-20260501.pdf',
        },
      },
    ]);
    renderPage(<ReportsPage />);
    const user = userEvent.setup();
    await screen.findByRole('option', { name: 'Tom Trainer' });
    await user.selectOptions(screen.getByLabelText('Trainer'), 'Tom Trainer');
    await user.selectOptions(screen.getByLabelText('Status'), 'completed');
    await user.click(screen.getByRole('checkbox', { name: 'Progress' }));
    await user.type(screen.getByLabelText('Course ID'), '7');
    await user.click(screen.getByRole('button', { name: 'Download PDF' }));

    expect(await screen.findByText('Downloaded training-report-20260501.pdf.')).toBeInTheDocument();
    expect(saved).toEqual([{ name: 'training-report-20260501.pdf', type: 'application/pdf' }]);
    const asked = calls.find((c) => c.url.pathname === '/reports/generate');
    expect(Object.fromEntries(asked?.url.searchParams ?? [])).toEqual({
      format: 'pdf',
      trainer_id: '4',
      status: 'completed',
      course_id: '7',
      sections: 'summary,users,sessions,attendance,courses',
    });
    expect(asked?.headers.get('Authorization')).toBe('Bearer token-1');
  });

  it('cannot download without a section, and says why a report was refused', async () => {
    signInAs(admin);
    mockFetch([
      { path: '/users', body: [admin] },
      { path: '/reports/generate', status: 400, body: { detail: 'The date range is too long.' } },
    ]);
    renderPage(<ReportsPage />);
    const user = userEvent.setup();
    for (const name of ['Summary', 'Users', 'Sessions', 'Attendance', 'Progress', 'Courses']) {
      await user.click(screen.getByRole('checkbox', { name }));
    }
    expect(screen.getByText('Choose at least one section.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Download CSV' })).toBeDisabled();
    await user.click(screen.getByRole('checkbox', { name: 'Users' }));
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The date range is too long.');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Download CSV' })).toBeEnabled());
    expect(saved).toEqual([]);
  });
});
