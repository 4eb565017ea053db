import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { describeError } from '../api/errors';
import { useAvailableSessions, useRooms } from '../api/queries';
import type { BookableSession } from '../api/types';
import { formatDateTime, formatDuration } from '../lib/time';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';
import { describePlaces } from './sessionHelpers';

const PAGE = 50;

function standing(session: BookableSession): string {
  if (session.booking === 'enrolled') return 'You are booked in.';
  if (session.booking === 'waitlisted') return `You are number ${session.waitlist_position} on the waitlist.`;
  return session.booking_open ? '' : 'Booking has closed.';
}

/** Trainees: sessions open to booking, and those they hold a place (or a waitlist place) in. */
export function BookSessionsPage() {
  const queryClient = useQueryClient();
  const [page, setPage] = useState(0);
  const sessions = useAvailableSessions({ skip: page * PAGE, limit: PAGE });
  const rooms = useRooms();
  const roomName = (id: number | null) => (id == null ? null : (rooms.data?.find((r) => r.id === id)?.name ?? null));
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ['available'] });
    void queryClient.invalidateQueries({ queryKey: ['sessions'] });
    void queryClient.invalidateQueries({ queryKey: ['progress'] });
  };

  const book = useMutation({
    mutationFn: (session: BookableSession) =>
      unwrap(api.POST('/sessions/{session_id}/book', { params: { path: { session_id: session.id } } })),
    onSuccess: (answer) => {
      showToast({
        title: answer.booking === 'enrolled' ? 'Booked' : 'On the waitlist',
        body: answer.message,
        tone: 'success',
      });
      refresh();
    },
    onError: (error, session) =>
      showToast({ title: `Could not book “${session.title}”`, body: describeError(error), tone: 'error' }),
  });
  const cancel = useMutation({
    mutationFn: (session: BookableSession) =>
      unwrap(api.DELETE('/sessions/{session_id}/book', { params: { path: { session_id: session.id } } })),
    onSuccess: (answer) => {
      showToast({ title: answer.message, tone: 'success' });
      refresh();
    },
    onError: (error, session) =>
      showToast({ title: `Could not cancel “${session.title}”`, body: describeError(error), tone: 'error' }),
  });
  const busy = book.isPending || cancel.isPending;

  return (
    <div>
      <PageHeader title="Book a session">
        <p className="muted">
          Sessions open to booking. When a session is full you join its waitlist, and the first in line gets a place as
          soon as one frees up.
        </p>
      </PageHeader>
      <QueryView
        query={sessions}
        empty={page ? 'No more sessions.' : 'No session is open to booking right now.'}
        loadingLabel="Loading sessions…"
      >
        {(rows) => (
          <>
            <ul className="session-cards" data-testid="bookable-sessions">
              {rows.map((s) => (
                <li key={s.id} className="card session-card" data-testid={`bookable-${s.id}`}>
                  <h3>{s.title}</h3>
                  <p>
                    {formatDateTime(s.scheduled_date)} · {formatDuration(s.duration_minutes)} · {s.trainer.name}
                    {roomName(s.room_id) ? ` · ${roomName(s.room_id)}` : ''}
                  </p>
                  {s.description ? <p className="muted">{s.description}</p> : null}
                  <p data-testid="places">Places: {describePlaces(s)}</p>
                  {s.booking_open && s.booking_closes_at ? (
                    <p className="muted small">Booking closes {formatDateTime(s.booking_closes_at)}.</p>
                  ) : null}
                  {standing(s) ? (
                    <p className="booking-state" data-testid="booking-state">
                      <strong>{standing(s)}</strong>
                    </p>
                  ) : null}
                  {s.booking === 'enrolled' && s.class_link ? (
                    <p>
                      <a href={s.class_link} target="_blank" rel="noopener noreferrer">
                        Join the class
                      </a>
                    </p>
                  ) : null}
                  <div className="button-row">
                    {s.booking == null && s.booking_open ? (
                      <button
                        type="button"
                        className="button button-primary"
                        disabled={busy}
                        onClick={() => book.mutate(s)}
                      >
                        {s.places_left === 0 ? 'Join the waitlist' : 'Book'}{' '}
                        <span className="visually-hidden">{s.title}</span>
                      </button>
                    ) : null}
                    {s.booking === 'enrolled' ? (
                      <button type="button" className="button" disabled={busy} onClick={() => cancel.mutate(s)}>
                        Cancel booking <span className="visually-hidden">{s.title}</span>
                      </button>
                    ) : null}
                    {s.booking === 'waitlisted' ? (
                      <button type="button" className="button" disabled={busy} onClick={() => cancel.mutate(s)}>
                        Leave the waitlist <span className="visually-hidden">{s.title}</span>
                      </button>
                    ) : null}
                  </div>
                </li>
              ))}
            </ul>
            <Pager page={page} hasMore={rows.length === PAGE} onPage={setPage} />
          </>
        )}
      </QueryView>
    </div>
  );
}
