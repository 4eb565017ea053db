import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useBatches } from '../api/batches';
import { describeError } from '../api/errors';
import {
  downloadErrors,
  downloadTemplate,
  IMPORT_COLUMNS,
  isRunning,
  type RejectedRow,
  startImport,
  useImport,
  useRejectedRows,
} from '../api/imports';
import type { ImportCellError, UserImport } from '../api/types';
import { DataTable } from '../ui/DataTable';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { ProgressBar } from '../ui/states';
import { showToast } from '../ui/toasts';

const COLUMN_LABELS: Record<string, string> = {
  email: 'E-mail',
  first_name: 'First name',
  last_name: 'Last name',
  username: 'Username',
  role: 'Role',
  batch: 'Batch',
  course: 'Course',
};

function percent(record: UserImport): number {
  return record.total_rows ? (100 * record.processed_rows) / record.total_rows : 0;
}

function Summary({ record }: { record: UserImport }) {
  const verb = record.dry_run ? 'would be ' : '';
  return (
    <ul className="import-summary" data-testid={record.dry_run ? 'dry-run-summary' : 'import-summary'}>
      <li>
        <strong>{record.total_rows}</strong> rows read
      </li>
      <li>
        <strong>{record.created}</strong> {verb}created
      </li>
      <li>
        <strong>{record.updated}</strong> {verb}updated
      </li>
      <li>
        <strong>{record.unchanged}</strong> unchanged
      </li>
      <li>
        <strong>{record.failed}</strong> with errors{record.dry_run ? ' (they will be left out)' : ''}
      </li>
    </ul>
  );
}

/** The rejected rows, each bad cell marked with its message. */
function RejectedTable({ rows, errors }: { rows: RejectedRow[]; errors: ImportCellError[] }) {
  const messages = new Map<string, string[]>();
  for (const error of errors) {
    const key = `${error.row}:${error.column}`;
    messages.set(key, [...(messages.get(key) ?? []), error.message]);
  }
  return (
    <DataTable
      caption="Rows with errors"
      testId="rejected-rows"
      columns={['Row', ...IMPORT_COLUMNS.map((column) => COLUMN_LABELS[column]), 'Reason']}
    >
      {rows.map((row) => (
        <tr key={row.row} data-row={row.row}>
          <td data-label="Row">{row.row}</td>
          {IMPORT_COLUMNS.map((column) => {
            const problem = messages.get(`${row.row}:${column}`);
            return (
              <td
                key={column}
                data-label={COLUMN_LABELS[column]}
                data-column={column}
                className={problem ? 'cell-error' : undefined}
                aria-invalid={problem ? true : undefined}
                title={problem?.join('; ')}
              >
                {row.cells[column] || (problem ? <span className="muted">(empty)</span> : '')}
              </td>
            );
          })}
          <td data-label="Reason">{row.reason}</td>
        </tr>
      ))}
    </DataTable>
  );
}

export function ImportUsersPage() {
  const queryClient = useQueryClient();
  const inputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [invite, setInvite] = useState(true);
  const [batchId, setBatchId] = useState<number | null>(null);
  const batchList = useBatches({ limit: 100 });
  const [dragOver, setDragOver] = useState(false);
  const [checkId, setCheckId] = useState<number | null>(null);
  const [importId, setImportId] = useState<number | null>(null);

  const check = useImport(checkId);
  const real = useImport(importId);
  const checked = check.data && !isRunning(check.data) ? check.data : null;
  const done = real.data && !isRunning(real.data) ? real.data : null;
  const rejected = useRejectedRows(checkId, checked != null && checked.failed > 0);

  const upload = useMutation({
    mutationFn: startImport,
    onSuccess: (record) => {
      queryClient.setQueryData(['imports', record.id], record);
      if (record.dry_run) setCheckId(record.id);
      else setImportId(record.id);
    },
  });

  const choose = (chosen: File | null | undefined) => {
    if (!chosen) return;
    setFile(chosen);
    setCheckId(null);
    setImportId(null);
    upload.reset();
    upload.mutate({ file: chosen, dryRun: true, invite, batchId });
  };

  const template = (kind: 'csv' | 'xlsx') =>
    downloadTemplate(kind).catch((error: unknown) =>
      showToast({ title: 'Could not download the template', body: describeError(error), tone: 'error' }),
    );

  const running = [check.data, real.data].find((record) => isRunning(record));
  return (
    <div>
      <PageHeader title="Import users">
        <p className="muted">
          Bring people in from a spreadsheet (CSV in UTF-8, or Excel .xlsx). Every row is checked first; nothing is
          written until you confirm. Existing users are matched by e-mail, so importing a file again changes nothing.
        </p>
      </PageHeader>
      <section className="card" aria-labelledby="import-templates">
        <h2 id="import-templates">Templates</h2>
        <p className="muted">
          Columns: email (required), first_name, last_name, username, role (trainee, trainer or admin), batch, course.
        </p>
        <div className="toolbar">
          <button type="button" className="button" onClick={() => void template('csv')}>
            Download the CSV template
          </button>
          <button type="button" className="button" onClick={() => void template('xlsx')}>
            Download the Excel template
          </button>
        </div>
      </section>
      <section className="card" aria-labelledby="import-file">
        <h2 id="import-file">1. Choose the file</h2>
        <label
          htmlFor={inputId}
          className={`dropzone${dragOver ? ' dropzone-over' : ''}`}
          data-testid="import-dropzone"
          onDragOver={(e) => {
            e.preventDefault();
            setDragOver(true);
          }}
          onDragLeave={() => setDragOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragOver(false);
            choose(e.dataTransfer?.files?.[0]);
          }}
        >
          <span>{file ? `Chosen: ${file.name}` : 'Drop a CSV or Excel file here, or click to choose one'}</span>
          <input
            id={inputId}
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            className="visually-hidden"
            onChange={(e) => {
              choose(e.target.files?.[0]);
              e.target.value = '';
            }}
          />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={invite} onChange={(e) => setInvite(e.target.checked)} /> Send new users an
          invitation to choose their password
        </label>
        <Field
          label="Add the trainees to a batch"
          hint="Every trainee imported joins it and is enrolled in its courses; a row's batch column adds another."
        >
          {(p) => (
            <select
              {...p}
              value={batchId ?? ''}
              onChange={(e) => setBatchId(e.target.value ? Number(e.target.value) : null)}
            >
              <option value="">No batch</option>
              {(batchList.data ?? []).map((b) => (
                <option key={b.id} value={b.id}>
                  {b.code} — {b.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {upload.error ? <FormError error={upload.error} /> : null}
      </section>
      {running ? (
        <section className="card" aria-live="polite" data-testid="import-running">
          <h2>{running.dry_run ? 'Checking the rows…' : 'Importing…'}</h2>
          <ProgressBar value={percent(running)} label={running.dry_run ? 'Rows checked' : 'Rows imported'} />
          <p className="muted">
            {running.processed_rows} of {running.total_rows} rows
          </p>
        </section>
      ) : null}
      {checked && !importId ? (
        <section className="card" aria-labelledby="import-check">
          <h2 id="import-check">2. Check the rows</h2>
          <Summary record={checked} />
          {checked.failed > 0 ? (
            rejected.data ? (
              <RejectedTable rows={rejected.data} errors={checked.errors} />
            ) : (
              <p className="muted">Loading the rows with errors…</p>
            )
          ) : (
            <p>Every row is fine.</p>
          )}
          <div className="toolbar">
            <button
              type="button"
              className="button button-primary"
              disabled={upload.isPending || !file || checked.total_rows === checked.failed}
              onClick={() => file && upload.mutate({ file, dryRun: false, invite, batchId })}
            >
              Import {checked.total_rows - checked.failed} rows
            </button>
          </div>
        </section>
      ) : null}
      {done ? (
        <section className="card" aria-labelledby="import-done">
          <h2 id="import-done">{done.status === 'succeeded' ? 'Import finished' : 'Import failed'}</h2>
          <Summary record={done} />
          {done.failed > 0 ? (
            <button type="button" className="button" onClick={() => void downloadErrors(done.id)}>
              Download the rows with errors (errors.csv)
            </button>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
