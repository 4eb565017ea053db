import { useMemo } from 'react';
import { Link } from 'react-router';
import { describeError } from '../api/errors';
import { useSessions, useTraineeAttendance, useTraineeProgress } from '../api/queries';
import type { TrainingSession } from '../api/types';
import { useMe } from '../auth/session';
import { formatDateTime, formatDuration, parseInstant } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorNote, ProgressBar, QueryView, StatusBadge } from '../ui/states';
import { AttendanceMark, marksBySession } from './attendanceMarks';
import { sortByStart, useUserNamesIfAllowed } from './sessionHelpers';

export function isUpcoming(session: TrainingSession, now: Date = new Date()): boolean {
  const end = parseInstant(session.scheduled_date).getTime() + session.duration_minutes * 60_000;
  return session.status === 'scheduled' && end > now.getTime();
}

export function TraineeHomePage() {
  const me = useMe();
  const progress = useTraineeProgress(me.id);
  const sessions = useSessions({ limit: 1000 });
  // Refetched on attendance_marked / _updated / _deleted (the 'attendance' query family).
  const attendance = useTraineeAttendance(me.id);
  const marks = useMemo(() => marksBySession(attendance.data), [attendance.data]);
  const trainerName = useUserNamesIfAllowed();
  const [upcoming, past] = useMemo(() => {
    const sorted = sortByStart(sessions.data ?? []);
    return [sorted.filter((s) => isUpcoming(s)), sorted.filter((s) => !isUpcoming(s)).reverse()];
  }, [sessions.data]);

  return (
    <div>
      <PageHeader title="My training" />
      <section className="card" aria-labelledby="progress-title">
        <h2 id="progress-title">My progress</h2>
        <QueryView query={progress} loadingLabel="Loading progress…">
          {(p) => (
            <div data-testid="my-progress">
              <ProgressBar value={p.progress_percentage} label="Sessions attended" />
              <p>
                You attended <strong data-testid="attended-count">{p.attended_sessions}</strong> of{' '}
                <strong data-testid="total-count">{p.total_sessions}</strong> sessions.
              </p>
              <p className="muted small">
                Every session you are enrolled in counts, upcoming ones too; cancelled ones do not.
              </p>
              <p>
                <Link to="/learning">My courses and their progress →</Link>
              </p>
            </div>
          )}
        </QueryView>
      </section>
      <section aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">Upcoming sessions</h2>
        <QueryView query={sessions} loadingLabel="Loading sessions…">
          {() =>
            upcoming.length === 0 ? (
              <Empty>No upcoming sessions. New ones appear here as soon as you are enrolled.</Empty>
            ) : (
              <ul className="session-cards" data-testid="upcoming-sessions">
                {upcoming.map((s) => (
                  <li key={s.id} className="card session-card">
                    <h3>{s.title}</h3>
                    <p>
                      {formatDateTime(s.scheduled_date)} · {formatDuration(s.duration_minutes)}
                      {trainerName(s.trainer_id) ? ` · with ${trainerName(s.trainer_id)}` : ''}
                    </p>
                    {s.description ? <p className="muted">{s.description}</p> : null}
                    {marks.has(s.id) ? (
                      <p className="small">
                        My attendance: <AttendanceMark mark={marks.get(s.id)} showWhen={false} />
                      </p>
                    ) : null}
                    {s.class_link ? (
                      <a
                        className="button button-primary"
                        href={s.class_link}
                        target="_blank"
                        rel="noopener noreferrer"
                      >
                        Join class <span className="visually-hidden">{s.title}</span> (opens a new tab)
                      </a>
                    ) : (
                      <p className="muted small">The trainer has not added a class link yet.</p>
                    )}
                  </li>
                ))}
              </ul>
            )
          }
        </QueryView>
      </section>
      <section aria-labelledby="past-title">
        <h2 id="past-title">Past sessions</h2>
        {attendance.error ? (
          <ErrorNote
            error={new Error(`Your attendance could not be loaded. ${describeError(attendance.error)}`)}
            onRetry={() => void attendance.refetch()}
          />
        ) : null}
        <QueryView query={sessions}>
          {() =>
            past.length === 0 ? (
              <Empty>No past sessions yet.</Empty>
            ) : (
              <DataTable
                caption="Past sessions and my attendance"
                testId="past-sessions"
                columns={['Session', 'When', 'Status', 'My attendance']}
              >
                {past.map((s) => (
                  <tr key={s.id} data-testid={`past-session-${s.id}`}>
                    <td data-label="Session">{s.title}</td>
                    <td data-label="When">{formatDateTime(s.scheduled_date)}</td>
                    <td data-label="Status">
                      <StatusBadge status={s.status} />
                    </td>
                    <td data-label="My attendance">
                      {attendance.isPending ? (
                        <span className="muted">Loading…</span>
                      ) : attendance.error ? (
                        <span className="muted">Not available</span>
                      ) : (
                        <AttendanceMark mark={marks.get(s.id)} />
                      )}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )
          }
        </QueryView>
      </section>
    </div>
  );
}
