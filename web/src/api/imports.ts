/**
 * Bulk imports of users (API.md part two, "Imports"): the upload, the import's record
 * (kept fresh by `import_progress` events and, as a fallback, by polling while it runs),
 * its rejected rows (errors.csv, parsed here for the dry-run table) and the templates.
 */
import { type QueryClient, useQuery } from '@tanstack/react-query';
import { api, downloadFile, unwrap } from './client';
import type { UserImport } from './types';

export const importKeys = {
  one: (id: number) => ['imports', id] as const,
  rejected: (id: number) => ['imports', id, 'rejected'] as const,
};

const RUNNING: ReadonlySet<string> = new Set(['queued', 'running']);

export function isRunning(record: Pick<UserImport, 'status'> | undefined): boolean {
  return record != null && RUNNING.has(record.status);
}

export interface ImportRequest {
  file: File;
  dryRun: boolean;
  invite: boolean;
  /** A batch every trainee imported joins (query `batch_id`). */
  batchId?: number | null;
}

/** Uploads the file (multipart field `file`): 202 with the queued import. */
export function startImport({ file, dryRun, invite, batchId }: ImportRequest): Promise<UserImport> {
  const form = new FormData();
  form.append('file', file, file.name);
  return unwrap(
    api.POST('/imports/users', {
      params: { query: { dry_run: dryRun, invite, ...(batchId ? { batch_id: batchId } : {}) } },
      body: form as unknown as { file: string },
    }),
  );
}

/** One import; while it runs, read again every few seconds in case live events stop. */
export function useImport(id: number | null) {
  return useQuery({
    queryKey: importKeys.one(id ?? 0),
    enabled: id != null,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/imports/{import_id}', { params: { path: { import_id: id ?? 0 } }, signal })),
    refetchInterval: (query) => (isRunning(query.state.data) ? 3000 : false),
  });
}

/** A rejected row of errors.csv: its cells by column, its row number and the reason. */
export interface RejectedRow {
  row: number;
  cells: Record<string, string>;
  reason: string;
}

export const IMPORT_COLUMNS = ['email', 'first_name', 'last_name', 'username', 'role', 'batch', 'course'] as const;

/** RFC 4180 CSV (quoted cells, doubled quotes, line breaks inside quotes) into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** errors.csv's rows (a cell the server prefixed with `'` against formulas is shown as sent). */
export function rejectedRows(text: string): RejectedRow[] {
  const [header, ...lines] = parseCsv(text);
  if (!header) return [];
  return lines
    .filter((line) => line.some(Boolean))
    .map((line) => {
      const cells: Record<string, string> = {};
      header.forEach((name, index) => {
        cells[name] = (line[index] ?? '').replace(/^'(?=[=+\-@\t\r])/, '');
      });
      return { row: Number(cells.row), cells, reason: cells.reason ?? '' };
    });
}

export function useRejectedRows(id: number | null, ready: boolean) {
  return useQuery({
    queryKey: importKeys.rejected(id ?? 0),
    enabled: id != null && ready,
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/imports/{import_id}/errors.csv', {
        params: { path: { import_id: id ?? 0 } },
        parseAs: 'text',
        signal,
      });
      return rejectedRows(String(data ?? ''));
    },
  });
}

export const downloadErrors = (id: number) =>
  downloadFile(
    api.GET('/imports/{import_id}/errors.csv', { params: { path: { import_id: id } }, parseAs: 'blob' }),
    `import-${id}-errors.csv`,
  );

export const downloadTemplate = (kind: 'csv' | 'xlsx') =>
  downloadFile(
    kind === 'csv'
      ? api.GET('/imports/template.csv', { parseAs: 'blob' })
      : api.GET('/imports/template.xlsx', { parseAs: 'blob' }),
    `users-template.${kind}`,
  );

/** An `import_progress` event moves the bar at once (the record is read again at the end). */
export function applyImportProgress(client: QueryClient, data: Record<string, unknown>): void {
  const id = Number(data.import_id);
  const processed = Number(data.processed_rows);
  const total = Number(data.total_rows);
  if (!Number.isFinite(id) || !Number.isFinite(processed) || !Number.isFinite(total)) return;
  client.setQueryData<UserImport>(importKeys.one(id), (record) =>
    record && processed >= record.processed_rows
      ? { ...record, status: 'running', processed_rows: processed, total_rows: total }
      : record,
  );
}
