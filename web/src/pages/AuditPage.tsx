import { useState } from 'react';
import { type AuditQuery, useAudit, useUsers } from '../api/queries';
import { AUDIT_ACTIONS, AUDIT_TARGET_TYPES, type AuditEntry } from '../api/types';
import { dayAfterLocalDate, formatDateTime, fromLocalInput } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { Field } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { PersonSelect } from '../ui/PersonSelect';
import { QueryView } from '../ui/states';

const PAGE = 50;

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(show).join(', ');
  return Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join('; ');
}

export function Changes({ changes }: { changes: AuditEntry['changes'] }) {
  const entries = Object.entries(changes ?? {});
  if (!entries.length) return <span className="muted">—</span>;
  return (
    <ul className="changes">
      {entries.map(([field, pair]) => {
        const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
        return (
          <li key={field}>
            <strong>{field}</strong>: {show(before)} → {show(after)}
          </li>
        );
      })}
    </ul>
  );
}

export function AuditPage() {
  const users = useUsers();
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [targetType, setTargetType] = useState('');
  const [targetId, setTargetId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [page, setPage] = useState(0);
  const query: AuditQuery = {
    actor_id: actor ? Number(actor) : null,
    action: action || null,
    target_type: targetType || null,
    target_id: /^\d+$/.test(targetId) ? Number(targetId) : null,
    from: from ? fromLocalInput(from) : null,
    to: to ? dayAfterLocalDate(to) : null,
    skip: page * PAGE,
    limit: PAGE,
  };
  const audit = useAudit(query);
  const filter = (set: (v: string) => void) => (value: string) => {
    set(value);
    setPage(0);
  };

  return (
    <div>
      <PageHeader title="Audit log">
        <p className="muted">Every change, newest first. Nobody can edit or delete it.</p>
      </PageHeader>
      <div className="toolbar">
        <PersonSelect
          label="Who"
          people={users.data ?? []}
          value={actor}
          onChange={(value) => filter(setActor)(value)}
          blank="Anyone"
        />
        <Field label="Action">
          {(p) => (
            <select {...p} value={action} onChange={(e) => filter(setAction)(e.target.value)}>
              <option value="">Any action</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Target type">
          {(p) => (
            <select {...p} value={targetType} onChange={(e) => filter(setTargetType)(e.target.value)}>
              <option value="">Any</option>
              {AUDIT_TARGET_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Target id">
          {(p) => (
            <input
              {...p}
              inputMode="numeric"
              pattern="[0-9]*"
              size={6}
              value={targetId}
              onChange={(e) => filter(setTargetId)(e.target.value)}
            />
          )}
        </Field>
        <Field label="From">
          {(p) => <input {...p} type="date" value={from} onChange={(e) => filter(setFrom)(e.target.value)} />}
        </Field>
        <Field label="To (inclusive)">
          {(p) => <input {...p} type="date" value={to} onChange={(e) => filter(setTo)(e.target.value)} />}
        </Field>
      </div>
      <QueryView
        query={audit}
        empty={page ? 'No more entries.' : 'No entry matches these filters.'}
        loadingLabel="Loading the audit log…"
      >
        {(entries) => (
          <>
            <DataTable
              caption="Audit entries"
              testId="audit-table"
              columns={['When', 'Who', 'Action', 'Target', 'Changes', 'From']}
            >
              {entries.map((e) => (
                <tr key={e.id}>
                  <td data-label="When">{formatDateTime(e.at)}</td>
                  <td data-label="Who">{e.actor ?? (e.actor_id ? `#${e.actor_id}` : 'system')}</td>
                  <td data-label="Action">
                    <code>{e.action}</code>
                  </td>
                  <td data-label="Target">
                    {e.target_type}
                    {e.target_id != null ? ` #${e.target_id}` : ''}
                  </td>
                  <td data-label="Changes">
                    <Changes changes={e.changes} />
                  </td>
                  <td data-label="From">{e.client_address ?? '—'}</td>
                </tr>
              ))}
            </DataTable>
            <Pager page={page} hasMore={entries.length === PAGE} onPage={setPage} />
          </>
        )}
      </QueryView>
    </div>
  );
}
