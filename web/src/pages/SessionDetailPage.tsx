import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { ApiError, describeError } from '../api/errors';
import { useRooms, useSession, useUsers } from '../api/queries';
import { SESSION_STATUSES, type SessionStatus, type TrainingSession } from '../api/types';
import { useMe } from '../auth/session';
import { formatDateTime, formatDuration } from '../lib/time';
import { markOwnSessionChange } from '../realtime/LiveProvider';
import { CopyField } from '../ui/CopyField';
import { ConfirmPanel, Modal } from '../ui/Dialog';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { PersonSelect } from '../ui/PersonSelect';
import { Empty, QueryView, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';
import { AddToCalendar } from './AddToCalendar';
import { SessionForm } from './SessionForm';
import { describePlaces, useUserNamesIfAllowed } from './sessionHelpers';

export function SessionDetailPage() {
  const id = Number(useParams().id);
  const session = useSession(id);
  return <QueryView query={session}>{(data) => <SessionDetail session={data} />}</QueryView>;
}

function SessionDetail({ session }: { session: TrainingSession }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const names = useUserNamesIfAllowed();
  const rooms = useRooms();
  const roomName = (roomId: number) => rooms.data?.find((r) => r.id === roomId)?.name;
  const users = useUsers();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [addId, setAddId] = useState('');
  const refresh = () => {
    markOwnSessionChange(session.id);
    void queryClient.invalidateQueries({ queryKey: ['session', session.id] });
    void queryClient.invalidateQueries({ queryKey: ['sessions'] });
  };

  const setStatus = useMutation({
    mutationFn: (status: SessionStatus) => {
      markOwnSessionChange(session.id);
      return unwrap(
        api.PUT('/sessions/{session_id}', { params: { path: { session_id: session.id } }, body: { status } }),
      );
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['session', session.id], saved);
      refresh();
      showToast({ title: `Session marked ${saved.status}`, tone: 'success' });
    },
  });
  const enrol = useMutation({
    mutationFn: ({ traineeId, override = false }: { traineeId: number; override?: boolean }) => {
      markOwnSessionChange(session.id);
      return unwrap(
        api.POST('/sessions/{session_id}/trainees/{trainee_id}', {
          params: { path: { session_id: session.id, trainee_id: traineeId }, query: { override } },
        }),
      );
    },
    onSuccess: () => {
      setAddId('');
      refresh();
      showToast({ title: 'Trainee enrolled', tone: 'success' });
    },
  });
  const unenrol = useMutation({
    mutationFn: (traineeId: number) => {
      markOwnSessionChange(session.id);
      return unwrap(
        api.DELETE('/sessions/{session_id}/trainees/{trainee_id}', {
          params: { path: { session_id: session.id, trainee_id: traineeId } },
        }),
      );
    },
    onSuccess: () => {
      refresh();
      showToast({ title: 'Trainee removed from the session', tone: 'success' });
    },
    onError: (error) => showToast({ title: 'Could not remove the trainee', body: describeError(error), tone: 'error' }),
  });
  const remove = useMutation({
    mutationFn: () => {
      markOwnSessionChange(session.id);
      return unwrap(api.DELETE('/sessions/{session_id}', { params: { path: { session_id: session.id } } }));
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
      queryClient.removeQueries({ queryKey: ['session', session.id] });
      showToast({ title: 'Session deleted', body: session.title, tone: 'success' });
      navigate('/sessions', { replace: true });
    },
  });

  const enrolled = new Set(session.trainees.map((t) => t.id));
  const candidates = (users.data ?? []).filter((u) => u.role === 'trainee' && !enrolled.has(u.id));
  const joinUrl = /^https?:\/\//.test(session.session_link)
    ? session.session_link
    : `${window.location.origin}/app/join/${encodeURIComponent(session.session_link)}`;

  return (
    <div>
      <PageHeader
        title={session.title}
        actions={
          <>
            <Link className="button" to={`/sessions/${session.id}/attendance`}>
              Take attendance
            </Link>
            <AddToCalendar sessionId={session.id} />
            <button type="button" className="button" onClick={() => setEditing(true)}>
              Edit
            </button>
            {me.role === 'admin' ? (
              <button type="button" className="button button-danger" onClick={() => setDeleting(true)}>
                Delete
              </button>
            ) : null}
          </>
        }
      >
        <p className="muted">
          <Link to="/sessions">← All sessions</Link>
        </p>
      </PageHeader>
      <div className="columns">
        <section className="card" aria-labelledby="session-facts">
          <h2 id="session-facts">Details</h2>
          <dl className="facts">
            <dt>Starts</dt>
            <dd>{formatDateTime(session.scheduled_date)}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(session.duration_minutes)}</dd>
            <dt>Trainer</dt>
            <dd>{names(session.trainer_id)}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={session.status} />
            </dd>
            <dt>Places</dt>
            <dd data-testid="session-places">{describePlaces({ ...session, enrolled: session.trainees.length })}</dd>
            <dt>Room</dt>
            <dd>{session.room_id != null ? (roomName(session.room_id) ?? `#${session.room_id}`) : '—'}</dd>
            <dt>Self-booking</dt>
            <dd>
              {session.self_booking
                ? `Open until ${formatDateTime(session.booking_closes_at ?? session.scheduled_date)}`
                : 'Off: staff enrol trainees'}
            </dd>
            <dt>Class link</dt>
            <dd>
              {session.class_link ? (
                <a href={session.class_link} target="_blank" rel="noopener noreferrer">
                  {session.class_link}
                </a>
              ) : (
                '—'
              )}
            </dd>
          </dl>
          {session.description ? <p className="description">{session.description}</p> : null}
          <Field label="Change status">
            {(p) => (
              <select
                {...p}
                value={session.status}
                disabled={setStatus.isPending}
                onChange={(e) => setStatus.mutate(e.target.value as SessionStatus)}
              >
                {SESSION_STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {setStatus.error ? <FormError error={setStatus.error} /> : null}
          <CopyField label="Join link for trainees" value={joinUrl} />
        </section>
        <section className="card" aria-labelledby="session-trainees">
          <h2 id="session-trainees">Trainees ({session.trainees.length})</h2>
          {session.trainees.length === 0 ? <Empty>No trainee is enrolled yet.</Empty> : null}
          <ul className="people">
            {session.trainees.map((t) => (
              <li key={t.id}>
                <span>
                  {t.name || t.username} <span className="muted">({t.email})</span>
                </span>
                <button
                  type="button"
                  className="button button-small"
                  disabled={unenrol.isPending}
                  onClick={() => unenrol.mutate(t.id)}
                >
                  Remove <span className="visually-hidden">{t.name || t.username}</span>
                </button>
              </li>
            ))}
          </ul>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (addId) enrol.mutate({ traineeId: Number(addId) });
            }}
          >
            <PersonSelect
              label="Enrol a trainee"
              people={candidates}
              value={addId}
              onChange={setAddId}
              blank="Choose a trainee…"
              detail={(c) => c.username}
            />
            <button type="submit" className="button" disabled={!addId || enrol.isPending}>
              Enrol
            </button>
          </form>
          {enrol.error ? <FormError error={enrol.error} /> : null}
          {enrol.error instanceof ApiError && enrol.error.detail.startsWith('The session is full') && addId ? (
            <button
              type="button"
              className="button button-small"
              disabled={enrol.isPending}
              onClick={() => enrol.mutate({ traineeId: Number(addId), override: true })}
            >
              Enrol anyway, past the capacity
            </button>
          ) : null}
        </section>
      </div>

      <Modal open={editing} onClose={() => setEditing(false)} title={`Edit “${session.title}”`} wide>
        {editing ? (
          <SessionForm
            session={session}
            onCancel={() => setEditing(false)}
            onSaved={(saved) => {
              queryClient.setQueryData(['session', session.id], saved);
              refresh();
              setEditing(false);
              showToast({ title: 'Session saved', tone: 'success' });
            }}
          />
        ) : null}
      </Modal>
      <Modal open={deleting} onClose={() => setDeleting(false)} title="Delete this session?">
        <ConfirmPanel
          action="Delete session"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate()}
          onCancel={() => setDeleting(false)}
        >
          <p>
            “{session.title}” and its attendance records will be deleted. Its {session.trainees.length} trainee(s) will
            be told.
          </p>
        </ConfirmPanel>
      </Modal>
    </div>
  );
}
