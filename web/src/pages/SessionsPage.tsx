import { useQueryClient } from '@tanstack/react-query';
import { isSameMonth, isToday } from 'date-fns';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { type SessionQuery, useSessions, useUsers } from '../api/queries';
import { SESSION_STATUSES, statusFilter } from '../api/types';
import { useMe } from '../auth/session';
import { type CalendarView, onDay, shiftAnchor, visibleRange } from '../lib/calendar';
import {
  dayAfterLocalDate,
  formatDateTime,
  formatDuration,
  formatTime,
  fromLocalInput,
  toLocalDateInput,
} from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { Modal } from '../ui/Dialog';
import { Field } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { PersonSelect } from '../ui/PersonSelect';
import { QueryView, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';
import { SessionForm } from './SessionForm';
import { describePlaces, sortByStart, useUserNamesIfAllowed } from './sessionHelpers';

type View = 'list' | CalendarView;
const PAGE = 50;

export function SessionsPage() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const view = (['list', 'week', 'month'].includes(params.get('view') ?? '') ? params.get('view') : 'list') as View;
  const status = statusFilter(params.get('status'));
  const trainer = params.get('trainer') ?? '';
  const filters: SessionQuery = { status: status || null, trainer_id: trainer ? Number(trainer) : null };
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const pastPage = Math.max(0, Number(params.get('past') ?? 0) || 0);
  // One moment splits a trainer's sessions into upcoming and past while the page is open.
  const [now] = useState(() => new Date().toISOString());
  const anchor = params.get('at') ? new Date(`${params.get('at')}T12:00:00`) : new Date();

  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!('page' in changes)) next.delete('page');
    if (!('past' in changes)) next.delete('past');
    setParams(next, { replace: true });
  };

  const names = useUserNamesIfAllowed();
  const users = useUsers();
  const trainers = (users.data ?? []).filter((u) => u.role === 'trainer' || u.role === 'admin');

  return (
    <div>
      <PageHeader
        title={me.role === 'admin' ? 'Sessions' : 'My sessions'}
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            New session
          </button>
        }
      />
      <div className="toolbar">
        {/* biome-ignore lint/a11y/useSemanticElements: a set of toggle buttons, not a form section: a fieldset would bring a legend and its own layout */}
        <div className="segmented" role="group" aria-label="View">
          {(['list', 'week', 'month'] as View[]).map((v) => (
            <button
              key={v}
              type="button"
              className="button"
              aria-pressed={view === v}
              onClick={() => update({ view: v === 'list' ? null : v })}
            >
              {v === 'list' ? 'List' : v === 'week' ? 'Week' : 'Month'}
            </button>
          ))}
        </div>
        <Field label="Status">
          {(p) => (
            <select {...p} value={status} onChange={(e) => update({ status: e.target.value })}>
              <option value="">Any status</option>
              {SESSION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        {me.role === 'admin' ? (
          <PersonSelect
            label="Trainer"
            people={trainers}
            value={trainer}
            onChange={(value) => update({ trainer: value })}
            blank="Any trainer"
          />
        ) : null}
        {view === 'list' ? (
          <>
            <Field label="From">
              {(p) => <input {...p} type="date" value={from} onChange={(e) => update({ from: e.target.value })} />}
            </Field>
            <Field label="To (inclusive)">
              {(p) => <input {...p} type="date" value={to} onChange={(e) => update({ to: e.target.value })} />}
            </Field>
          </>
        ) : null}
      </div>
      {view === 'list' && me.role !== 'admin' && !from && !to ? (
        <>
          <section aria-labelledby="upcoming-title" data-testid="upcoming-sessions">
            <h2 id="upcoming-title">Upcoming</h2>
            <SessionList
              query={{ status: filters.status, from: now, skip: page * PAGE, limit: PAGE }}
              page={page}
              onPage={(p) => update({ page: p ? String(p) : null })}
              names={names}
              empty="No upcoming sessions."
            />
          </section>
          <section aria-labelledby="past-title" data-testid="past-sessions">
            <h2 id="past-title">Past</h2>
            <SessionList
              query={{ status: filters.status, to: now, order: 'desc', skip: pastPage * PAGE, limit: PAGE }}
              page={pastPage}
              onPage={(p) => update({ past: p ? String(p) : null })}
              names={names}
              empty="No past sessions."
              keepOrder
            />
          </section>
        </>
      ) : view === 'list' ? (
        <SessionList
          query={{
            ...filters,
            from: from ? fromLocalInput(from) : null,
            to: to ? dayAfterLocalDate(to) : null,
            skip: page * PAGE,
            limit: PAGE,
          }}
          page={page}
          onPage={(p) => update({ page: p ? String(p) : null })}
          names={names}
        />
      ) : (
        <CalendarGrid
          view={view}
          anchor={anchor}
          filters={filters}
          onAnchor={(date) => update({ at: date ? toLocalDateInput(date) : null })}
          names={names}
        />
      )}
      <Modal open={creating} onClose={() => setCreating(false)} title="New session" wide>
        {creating ? (
          <SessionForm
            onCancel={() => setCreating(false)}
            onSaved={(saved) => {
              void queryClient.invalidateQueries({ queryKey: ['sessions'] });
              setCreating(false);
              showToast({ title: 'Session created', body: saved.title, tone: 'success' });
              navigate(`/sessions/${saved.id}`);
            }}
          />
        ) : null}
      </Modal>
    </div>
  );
}

function SessionList({
  query,
  page,
  onPage,
  names,
  empty = 'No sessions match these filters.',
  keepOrder = false,
}: {
  query: SessionQuery;
  page: number;
  onPage: (page: number) => void;
  names: (id: number) => string;
  empty?: string;
  /** Show the server's order (e.g. latest first) rather than earliest first. */
  keepOrder?: boolean;
}) {
  const sessions = useSessions(query);
  return (
    <QueryView query={sessions} empty={page ? 'No more sessions.' : empty} loadingLabel="Loading sessions…">
      {(data) => (
        <>
          <DataTable
            caption="Sessions"
            testId="sessions-table"
            columns={['Title', 'Starts', 'Duration', 'Trainer', 'Trainees', 'Status']}
          >
            {(keepOrder ? data : sortByStart(data)).map((s) => (
              <tr key={s.id}>
                <td data-label="Title">
                  <Link to={`/sessions/${s.id}`}>{s.title}</Link>
                </td>
                <td data-label="Starts">{formatDateTime(s.scheduled_date)}</td>
                <td data-label="Duration">{formatDuration(s.duration_minutes)}</td>
                <td data-label="Trainer">{names(s.trainer_id)}</td>
                <td data-label="Trainees">
                  {s.capacity == null && !s.waitlist_count
                    ? s.trainees.length
                    : describePlaces({ ...s, enrolled: s.trainees.length })}
                </td>
                <td data-label="Status">
                  <StatusBadge status={s.status} />
                </td>
              </tr>
            ))}
          </DataTable>
          <Pager page={page} hasMore={data.length === PAGE} onPage={onPage} />
        </>
      )}
    </QueryView>
  );
}

const weekdayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });

function CalendarGrid({
  view,
  anchor,
  filters,
  onAnchor,
  names,
}: {
  view: CalendarView;
  anchor: Date;
  filters: SessionQuery;
  onAnchor: (date: Date | null) => void;
  names: (id: number) => string;
}) {
  const range = visibleRange(view, anchor);
  const sessions = useSessions({ ...filters, from: range.from.toISOString(), to: range.to.toISOString(), limit: 1000 });
  const label =
    view === 'week'
      ? `Week of ${weekdayFormat.format(range.days[0])} – ${weekdayFormat.format(range.days[6])}`
      : monthFormat.format(anchor);
  return (
    <section aria-labelledby="calendar-title">
      <div className="calendar-nav">
        <button type="button" className="button" onClick={() => onAnchor(shiftAnchor(view, anchor, -1))}>
          ← Previous <span className="visually-hidden">{view}</span>
        </button>
        <h2 id="calendar-title" aria-live="polite">
          {label}
        </h2>
        <button type="button" className="button" onClick={() => onAnchor(null)}>
          Today
        </button>
        <button type="button" className="button" onClick={() => onAnchor(shiftAnchor(view, anchor, 1))}>
          Next <span className="visually-hidden">{view}</span> →
        </button>
      </div>
      <QueryView query={sessions} loadingLabel="Loading calendar…">
        {(data) => {
          const sorted = sortByStart(data);
          return (
            <ol className={`calendar calendar-${view}`}>
              {range.days.map((day) => {
                const items = onDay(sorted, day);
                const outside = view === 'month' && !isSameMonth(day, anchor);
                return (
                  <li
                    key={day.toISOString()}
                    className={`calendar-day${outside ? ' calendar-outside' : ''}${isToday(day) ? ' calendar-today' : ''}${items.length ? '' : ' calendar-empty'}`}
                  >
                    <h3 className="calendar-date">
                      {weekdayFormat.format(day)}
                      {isToday(day) ? <span className="visually-hidden"> (today)</span> : null}
                    </h3>
                    {items.length ? (
                      <ul>
                        {items.map((s) => (
                          <li key={s.id} className={`calendar-item status-${s.status}`}>
                            <Link to={`/sessions/${s.id}`}>
                              <span className="calendar-time">{formatTime(s.scheduled_date)}</span> {s.title}
                            </Link>
                            {view === 'week' ? (
                              <span className="calendar-meta">
                                {formatDuration(s.duration_minutes)} · {names(s.trainer_id)} · {s.status}
                              </span>
                            ) : null}
                          </li>
                        ))}
                      </ul>
                    ) : view === 'week' ? (
                      <p className="calendar-none">No sessions</p>
                    ) : null}
                  </li>
                );
              })}
            </ol>
          );
        }}
      </QueryView>
    </section>
  );
}
