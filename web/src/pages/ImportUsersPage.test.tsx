import { QueryClient } from '@tanstack/react-query';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { applyImportProgress, parseCsv, rejectedRows } from '../api/imports';
import type { UserImport } from '../api/types';
import { makeBatch } from '../test/batches';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { ImportUsersPage } from './ImportUsersPage';

const admin = makeUser();

function record(id: number, overrides: Partial<UserImport> = {}): UserImport {
  return {
    id,
    kind: 'users',
    file_name: 'people.csv',
    dry_run: true,
    status: 'succeeded',
    total_rows: 3,
    processed_rows: 3,
    created: 2,
    updated: 0,
    unchanged: 0,
    failed: 1,
    errors: [{ row: 3, column: 'email', message: 'Not a valid e-mail address: nope' }],
    created_by: admin.id,
    created_at: '2026-05-04T08:00:00+00:00',
    finished_at: '2026-05-04T08:00:01+00:00',
    ...overrides,
  };
}

const ERRORS_CSV =
  '\uFEFFemail,first_name,last_name,username,role,batch,course,row,reason\r\n' +
  'nope,"\'=HYPERLINK(""x"")",Smith,,,,,3,email: Not a valid e-mail address: nope\r\n';

describe('ImportUsersPage', () => {
  it('checks a file first, marks the bad cells, then imports it on confirmation', async () => {
    signInAs(admin);
    const uploads: URLSearchParams[] = [];
    const { calls } = mockFetch([
      {
        method: 'POST',
        path: '/imports/users',
        respond: ({ url }) => {
          uploads.push(url.searchParams);
          const dry = url.searchParams.get('dry_run') === 'true';
          return {
            status: 202,
            body: record(dry ? 1 : 2, { dry_run: dry, status: 'queued', processed_rows: 0, created: 0, failed: 0 }),
          };
        },
      },
      { path: '/batches', body: [] },
      { path: '/imports/1', respond: () => ({ body: record(1) }) },
      { path: '/imports/2', respond: () => ({ body: record(2, { dry_run: false }) }) },
      {
        path: '/imports/1/errors.csv',
        respond: () => ({ body: ERRORS_CSV, headers: { 'content-type': 'text/csv; charset=utf-8' } }),
      },
    ]);
    renderPage(<ImportUsersPage />);
    const user = userEvent.setup();
    const file = new File(['email\na@example.org\nb@example.org\nnope\n'], 'people.csv', { type: 'text/csv' });
    await user.upload(screen.getByLabelText(/Drop a CSV or Excel file here/), file);

    const summary = await screen.findByTestId('dry-run-summary');
    expect(summary).toHaveTextContent('2 would be created');
    expect(summary).toHaveTextContent('1 with errors');
    const table = await screen.findByTestId('rejected-rows');
    const bad = within(table).getAllByRole('row')[1];
    const email = bad.querySelector('[data-column="email"]');
    expect(email).toHaveClass('cell-error');
    expect(email).toHaveAttribute('title', 'Not a valid e-mail address: nope');
    expect(bad.querySelector('[data-column="first_name"]')).not.toHaveClass('cell-error');
    expect(bad).toHaveTextContent('=HYPERLINK("x")');
    expect(uploads[0].get('dry_run')).toBe('true');
    expect(uploads[0].get('invite')).toBe('true');
    expect(uploads[0].has('batch_id')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Import 2 rows' }));
    const done = await screen.findByTestId('import-summary');
    expect(done).toHaveTextContent('2 created');
    expect(uploads[1].get('dry_run')).toBe('false');
    expect(screen.getByRole('button', { name: /Download the rows with errors/ })).toBeInTheDocument();
    const upload = calls.find((c) => c.method === 'POST');
    expect(String(upload?.body)).toContain('name="file"');
  });

  it('offers the batches and sends the one chosen as batch_id', async () => {
    signInAs(admin);
    const uploads: URLSearchParams[] = [];
    const listed: URLSearchParams[] = [];
    mockFetch([
      {
        path: '/batches',
        respond: ({ url }) => {
          listed.push(url.searchParams);
          return {
            body: [
              makeBatch({ id: 7, code: 'SPRING-26', name: 'Spring intake' }),
              makeBatch({ id: 8, code: 'AUT-26' }),
            ],
          };
        },
      },
      {
        method: 'POST',
        path: '/imports/users',
        respond: ({ url }) => {
          uploads.push(url.searchParams);
          const dry = url.searchParams.get('dry_run') === 'true';
          return { status: 202, body: record(dry ? 1 : 2, { dry_run: dry, failed: 0, errors: [] }) };
        },
      },
      { path: '/imports/1', respond: () => ({ body: record(1, { failed: 0, errors: [] }) }) },
      { path: '/imports/2', respond: () => ({ body: record(2, { dry_run: false, failed: 0, errors: [] }) }) },
    ]);
    renderPage(<ImportUsersPage />);
    const user = userEvent.setup();
    const picker = screen.getByLabelText('Add the trainees to a batch');
    await screen.findByRole('option', { name: 'SPRING-26 — Spring intake' });
    expect(listed[0].get('limit')).toBe('100');
    await user.selectOptions(picker, '7');
    await user.upload(
      screen.getByLabelText(/Drop a CSV or Excel file here/),
      new File(['email\na@example.org\n'], 'p.csv'),
    );
    await user.click(await screen.findByRole('button', { name: 'Import 3 rows' }));
    await screen.findByTestId('import-summary');
    expect(uploads.map((q) => [q.get('dry_run'), q.get('batch_id')])).toEqual([
      ['true', '7'],
      ['false', '7'],
    ]);
  });

  it('says why a file is refused', async () => {
    signInAs(admin);
    mockFetch([
      {
        method: 'POST',
        path: '/imports/users',
        status: 422,
        body: { detail: 'The file has no e-mail column', errors: [{ field: 'file', message: 'no e-mail column' }] },
      },
    ]);
    renderPage(<ImportUsersPage />);
    await userEvent
      .setup()
      .upload(screen.getByLabelText(/Drop a CSV or Excel file here/), new File(['name\nAnn\n'], 'x.csv'));
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(/e-mail column/));
  });

  it('moves the bar with import_progress events', () => {
    const client = new QueryClient();
    client.setQueryData(['imports', 5], record(5, { status: 'running', processed_rows: 0, total_rows: 1000 }));
    applyImportProgress(client, { import_id: 5, processed_rows: 500, total_rows: 1000 });
    expect(client.getQueryData<UserImport>(['imports', 5])?.processed_rows).toBe(500);
    applyImportProgress(client, { import_id: 5, processed_rows: 100, total_rows: 1000 });
    expect(client.getQueryData<UserImport>(['imports', 5])?.processed_rows).toBe(500);
  });

  it('reads errors.csv with quotes, commas and line breaks', () => {
    expect(parseCsv('a,"b, c","d ""e"""\r\n"x\ny",z\n')).toEqual([
      ['a', 'b, c', 'd "e"'],
      ['x\ny', 'z'],
    ]);
    expect(rejectedRows(ERRORS_CSV)[0]).toMatchObject({ row: 3, cells: { email: 'nope', last_name: 'Smith' } });
  });
});
