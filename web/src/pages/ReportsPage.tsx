import { useState } from 'react';
import { api, downloadFile } from '../api/client';
import { type ReportQuery, useUsers } from '../api/queries';
import { SESSION_STATUSES, type SessionStatus, statusFilter } from '../api/types';
import { dayAfterLocalDate, fromLocalInput } from '../lib/time';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { PersonSelect } from '../ui/PersonSelect';

const FORMATS = [
  { format: 'pdf', label: 'PDF', ext: 'pdf' },
  { format: 'csv', label: 'CSV', ext: 'csv' },
  { format: 'xlsx', label: 'Excel', ext: 'xlsx' },
] as const;

const SECTIONS = [
  { key: 'summary', label: 'Summary' },
  { key: 'users', label: 'Users' },
  { key: 'sessions', label: 'Sessions' },
  { key: 'attendance', label: 'Attendance' },
  { key: 'progress', label: 'Progress' },
  { key: 'courses', label: 'Courses' },
] as const;

export function reportQuery(
  filters: {
    from: string;
    to: string;
    trainer: string;
    status: SessionStatus | '';
    course?: string;
    sections: string[];
    bom?: boolean;
  },
  format: string,
): ReportQuery {
  return {
    bom: format === 'csv' && filters.bom ? true : undefined,
    format,
    from: filters.from ? fromLocalInput(filters.from) : null,
    to: filters.to ? dayAfterLocalDate(filters.to) : null,
    trainer_id: filters.trainer ? Number(filters.trainer) : null,
    status: filters.status || null,
    course_id: filters.course ? Number(filters.course) : null,
    sections: filters.sections.length && filters.sections.length < SECTIONS.length ? filters.sections.join(',') : null,
  };
}

export function ReportsPage() {
  const users = useUsers();
  const trainers = (users.data ?? []).filter((u) => u.role === 'trainer' || u.role === 'admin');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [trainer, setTrainer] = useState('');
  const [status, setStatus] = useState<SessionStatus | ''>('');
  const [course, setCourse] = useState('');
  const [sections, setSections] = useState<string[]>(SECTIONS.map((s) => s.key));
  const [bom, setBom] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  const download = async (format: string, ext: string) => {
    setBusy(format);
    setError(null);
    setDone(null);
    try {
      const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
      const query = reportQuery({ from, to, trainer, status, course, sections, bom }, format);
      const name = await downloadFile(
        api.GET('/reports/generate', { params: { query }, parseAs: 'blob', headers: { Accept: '*/*' } }),
        `training-report-${today}.${ext}`,
      );
      setDone(name);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  return (
    <div>
      <PageHeader title="Reports">
        <p className="muted">
          Users, sessions and courses, as PDF, CSV or Excel. Leave a filter empty to include everything.
        </p>
      </PageHeader>
      <section className="card stack" aria-labelledby="report-filters">
        <h2 id="report-filters">Filters</h2>
        <div className="grid-4">
          <Field label="Sessions from">
            {(p) => <input {...p} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />}
          </Field>
          <Field label="Sessions to (inclusive)">
            {(p) => <input {...p} type="date" value={to} onChange={(e) => setTo(e.target.value)} />}
          </Field>
          <PersonSelect label="Trainer" people={trainers} value={trainer} onChange={setTrainer} blank="Any trainer" />
          <Field label="Status">
            {(p) => (
              <select {...p} value={status} onChange={(e) => setStatus(statusFilter(e.target.value))}>
                <option value="">Any status</option>
                {SESSION_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Course ID" hint="Lists this course alone under Courses; the other sections stay whole.">
            {(p) => (
              <input
                {...p}
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                value={course}
                onChange={(e) => setCourse(e.target.value.replace(/\D/g, ''))}
              />
            )}
          </Field>
        </div>
        <fieldset className="checkbox-row">
          <legend>Sections</legend>
          {SECTIONS.map((s) => (
            <label key={s.key}>
              <input
                type="checkbox"
                checked={sections.includes(s.key)}
                onChange={(e) =>
                  setSections((cur) => (e.target.checked ? [...cur, s.key] : cur.filter((k) => k !== s.key)))
                }
              />{' '}
              {s.label}
            </label>
          ))}
        </fieldset>
        <label className="checkbox-line">
          <input type="checkbox" checked={bom} onChange={(e) => setBom(e.target.checked)} /> CSV for Microsoft Excel
          (starts with a UTF-8 byte order mark, so accents show correctly)
        </label>
      </section>
      <section className="card" aria-labelledby="report-download">
        <h2 id="report-download">Download</h2>
        <div className="button-row">
          {FORMATS.map((f) => (
            <button
              key={f.format}
              type="button"
              className="button button-primary"
              disabled={busy !== null || sections.length === 0}
              onClick={() => void download(f.format, f.ext)}
            >
              {busy === f.format ? `Preparing ${f.label}…` : `Download ${f.label}`}
            </button>
          ))}
        </div>
        {sections.length === 0 ? <p className="hint">Choose at least one section.</p> : null}
        <p role="status" className="hint">
          {done ? `Downloaded ${done}.` : ''}
        </p>
        {error ? <FormError error={error} /> : null}
      </section>
    </div>
  );
}
