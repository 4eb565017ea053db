import { useMutation } from '@tanstack/react-query';
import { addDays, endOfMonth, endOfWeek, format, getDay, parse, startOfDay, startOfMonth, startOfWeek } from 'date-fns';
import { enGB } from 'date-fns/locale';
import { useMemo, useState } from 'react';
import { Calendar, dateFnsLocalizer, type View } from 'react-big-calendar';
import 'react-big-calendar/lib/css/react-big-calendar.css';
import { Link, useSearchParams } from 'react-router';
import { calendarApi } from '../api/calendar';
import { useSessions } from '../api/queries';
import type { TrainingSession } from '../api/types';
import { useMe } from '../auth/session';
import { formatDateTime, formatDuration, parseInstant } from '../lib/time';
import { CopyField } from '../ui/CopyField';
import { FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { ErrorNote, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';
import { AddToCalendar } from './AddToCalendar';

const WEEK = { weekStartsOn: 1 as const };
const localizer = dateFnsLocalizer({
  format,
  parse,
  startOfWeek: (date: Date) => startOfWeek(date, WEEK),
  getDay,
  locales: { 'en-GB': enGB },
});
const VIEWS = ['month', 'week', 'agenda'] as const;
type CalendarView = (typeof VIEWS)[number];
const AGENDA_DAYS = 30;

interface SessionEvent {
  id: number;
  title: string;
  start: Date;
  end: Date;
  session: TrainingSession;
}

/** The half-open range [from, to) of starts a view shows. */
export function rangeOf(view: CalendarView, date: Date): { from: Date; to: Date } {
  if (view === 'week') {
    const from = startOfWeek(date, WEEK);
    return { from, to: addDays(from, 7) };
  }
  if (view === 'agenda') {
    const from = startOfDay(date);
    return { from, to: addDays(from, AGENDA_DAYS) };
  }
  const from = startOfWeek(startOfMonth(date), WEEK);
  return { from, to: addDays(startOfDay(endOfWeek(endOfMonth(date), WEEK)), 1) };
}

function toEvent(session: TrainingSession): SessionEvent {
  const start = parseInstant(session.scheduled_date);
  return {
    id: session.id,
    title: session.status === 'cancelled' ? `${session.title} (cancelled)` : session.title,
    start,
    end: new Date(start.getTime() + session.duration_minutes * 60_000),
    session,
  };
}

/**
 * The caller's sessions (admins: all they may list) by month, week or agenda, through the
 * sessions listing with the view's date range; live events refresh it as on every page.
 */
export function CalendarPage() {
  const [params, setParams] = useSearchParams();
  const view: CalendarView = VIEWS.includes(params.get('view') as CalendarView)
    ? (params.get('view') as CalendarView)
    : 'month';
  const dateParam = params.get('date');
  const date = useMemo(() => {
    const given = dateParam ? parse(dateParam, 'yyyy-MM-dd', new Date()) : null;
    return given && !Number.isNaN(given.getTime()) ? given : new Date();
  }, [dateParam]);
  const range = rangeOf(view, date);
  const sessions = useSessions({ from: range.from.toISOString(), to: range.to.toISOString(), limit: 1000 });
  const events = useMemo(() => (sessions.data ?? []).map(toEvent), [sessions.data]);
  const [selected, setSelected] = useState<number | null>(null);
  const chosen = events.find((e) => e.id === selected)?.session ?? null;

  const move = (next: { view?: CalendarView; date?: Date }) => {
    const updated = new URLSearchParams(params);
    updated.set('view', next.view ?? view);
    updated.set('date', format(next.date ?? date, 'yyyy-MM-dd'));
    setParams(updated, { replace: true });
  };

  return (
    <div>
      <PageHeader title="Calendar">
        <p className="muted">Your sessions by month, week or as an agenda. Times are in your browser's time zone.</p>
      </PageHeader>
      {sessions.error ? <ErrorNote error={sessions.error} onRetry={() => void sessions.refetch()} /> : null}
      <div className="calendar-frame" aria-busy={sessions.isFetching}>
        <Calendar<SessionEvent>
          localizer={localizer}
          culture="en-GB"
          events={events}
          views={[...VIEWS]}
          view={view}
          date={date}
          length={AGENDA_DAYS}
          onView={(next: View) => move({ view: next as CalendarView })}
          onNavigate={(next: Date) => move({ date: next })}
          onSelectEvent={(event) => setSelected(event.id)}
          eventPropGetter={(event) => ({
            className: `calendar-event status-${event.session.status}`,
          })}
          popup
        />
      </div>
      {chosen ? <ChosenSession session={chosen} onClose={() => setSelected(null)} /> : null}
      <Subscribe />
    </div>
  );
}

function ChosenSession({ session, onClose }: { session: TrainingSession; onClose: () => void }) {
  const me = useMe();
  return (
    <section className="card" aria-labelledby="chosen-session">
      <h2 id="chosen-session">{session.title}</h2>
      <p>
        {formatDateTime(session.scheduled_date)} · {formatDuration(session.duration_minutes)}{' '}
        <StatusBadge status={session.status} />
      </p>
      <p className="actions">
        <AddToCalendar sessionId={session.id} />
        {me.role === 'trainee' ? null : (
          <Link className="button" to={`/sessions/${session.id}`}>
            Open the session
          </Link>
        )}
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </p>
    </section>
  );
}

function Subscribe() {
  const [url, setUrl] = useState<string | null>(null);
  const subscribe = useMutation({
    mutationFn: calendarApi.subscribe,
    onSuccess: (answer) => setUrl(answer.url),
  });
  const revoke = useMutation({
    mutationFn: calendarApi.revoke,
    onSuccess: () => {
      setUrl(null);
      showToast({ title: 'Your calendar link no longer works', tone: 'success' });
    },
  });
  return (
    <section className="card" aria-labelledby="subscribe-title">
      <h2 id="subscribe-title">Subscribe in your calendar app</h2>
      <p className="muted">
        Calendar apps (Google Calendar, Outlook, Apple Calendar) can follow your sessions through a private link:
        changes and cancellations reach them within hours.
      </p>
      <p className="actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => subscribe.mutate()}
          disabled={subscribe.isPending}
        >
          {url ? 'Make a new link' : 'Subscribe in your calendar app'}
        </button>
        <button type="button" className="button" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
          Revoke
        </button>
      </p>
      {subscribe.error ? <FormError error={subscribe.error} /> : null}
      {revoke.error ? <FormError error={revoke.error} /> : null}
      {url ? (
        <div>
          <CopyField label="Your calendar link" value={url} testId="calendar-url" />
          <p role="note" className="warning">
            Keep this link secret: anyone who has it can see your sessions. It is shown only now; making a new link or
            revoking it stops this one working.
          </p>
        </div>
      ) : null}
    </section>
  );
}
