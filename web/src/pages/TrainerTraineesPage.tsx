import { Fragment, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/errors';
import { useAssignments, useTraineeAttendance, useTrainerProgress, useTrainerTrainees } from '../api/queries';
import type { User } from '../api/types';
import { useMe } from '../auth/session';
import { formatDateTime } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { PageHeader } from '../ui/PageHeader';
import { ErrorNote, Loading, ProgressBar, QueryView } from '../ui/states';
import { AttendanceMark } from './attendanceMarks';
import { TraineeCourseProgress } from './TraineeCourseProgress';

const COLUMNS = 6;
const NOT_AVAILABLE = 'Not available: attendance is shown only for trainees assigned to you.';

/** One trainee's marks, fetched when the trainer opens them. The server answers 403 for a
 * trainee who is not assigned to this trainer: that is "not available", not an error. */
export function TraineeAttendanceList({ trainee }: { trainee: User }) {
  const attendance = useTraineeAttendance(trainee.id);
  const label = trainee.name || trainee.username;
  if (attendance.isPending) return <Loading label={`Loading the attendance of ${label}…`} />;
  if (attendance.error) {
    if (attendance.error instanceof ApiError && attendance.error.status === 403) {
      return <p className="muted">{NOT_AVAILABLE}</p>;
    }
    return <ErrorNote error={attendance.error} onRetry={() => void attendance.refetch()} />;
  }
  const marks = [...attendance.data].reverse();
  if (marks.length === 0) return <p className="muted">No attendance recorded for {label} yet.</p>;
  const present = marks.filter((m) => m.present).length;
  return (
    <div>
      <p className="small">
        Present at <strong>{present}</strong> of <strong>{marks.length}</strong> marked sessions.
      </p>
      <ul className="attendance-list" aria-label={`Attendance of ${label}`}>
        {marks.map((m) => (
          <li key={m.id}>
            <span className="attendance-list-session">
              <strong>{m.session.title}</strong>{' '}
              <span className="muted small">{formatDateTime(m.session.scheduled_date)}</span>
            </span>
            <AttendanceMark mark={m} showWhen={false} />
          </li>
        ))}
      </ul>
    </div>
  );
}

export function TrainerTraineesPage() {
  const me = useMe();
  const trainees = useTrainerTrainees(me.id);
  const progress = useTrainerProgress(me.id);
  const assignments = useAssignments();
  const [open, setOpen] = useState<ReadonlySet<number>>(() => new Set());
  const byTrainee = useMemo(() => new Map((progress.data ?? []).map((p) => [p.trainee_id, p])), [progress.data]);
  // A trainer reads the attendance of the trainees assigned to them; the others are known
  // not to be available up front, so the page does not ask and collect 403s.
  const assigned = useMemo(
    () =>
      assignments.data
        ? new Set(assignments.data.filter((a) => a.teacher.id === me.id).map((a) => a.student.id))
        : null,
    [assignments.data, me.id],
  );
  const toggle = (id: number) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div>
      <PageHeader title="My trainees">
        <p className="muted">
          Trainees assigned to you or enrolled in your sessions, with their attendance progress: sessions attended out
          of every session they are enrolled in, upcoming ones included (cancelled ones left out).
        </p>
      </PageHeader>
      {progress.error ? <ErrorNote error={progress.error} onRetry={() => void progress.refetch()} /> : null}
      <QueryView query={trainees} empty="You have no trainees yet.">
        {(data) => (
          <DataTable
            caption="My trainees"
            testId="trainer-trainees"
            columns={['Trainee', 'Sessions', 'Last active', 'Status', 'Progress', 'Attendance']}
          >
            {data.map((row) => {
              const p = byTrainee.get(row.trainee.id);
              const label = row.trainee.name || row.trainee.username;
              const isOpen = open.has(row.trainee.id);
              const detailId = `trainee-attendance-${row.trainee.id}`;
              // Unknown while the assignments load or if they failed: the server decides.
              const available = assigned ? assigned.has(row.trainee.id) : !assignments.isPending;
              return (
                <Fragment key={row.trainee.id}>
                  <tr data-testid={`trainee-row-${row.trainee.username}`}>
                    <td data-label="Trainee">
                      <div>
                        <Link to={`/users/${row.trainee.id}`}>{label}</Link>
                        <div className="muted small">{row.trainee.email}</div>
                      </div>
                    </td>
                    <td data-label="Sessions">{row.sessions_count}</td>
                    <td data-label="Last active">{formatDateTime(row.last_active)}</td>
                    <td data-label="Status">
                      <span className={`badge badge-${row.status}`}>{row.status}</span>
                    </td>
                    <td data-label="Progress">
                      {p ? (
                        <div className="cell-fill">
                          <ProgressBar value={p.progress_percentage} label={`Progress of ${label}`} />
                          <div className="muted small">
                            {p.attended_sessions} of {p.total_sessions} attended
                          </div>
                        </div>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td data-label="Attendance">
                      {assignments.isPending ? (
                        <span className="muted">…</span>
                      ) : available ? (
                        <button
                          type="button"
                          className="button button-small"
                          aria-expanded={isOpen}
                          aria-controls={isOpen ? detailId : undefined}
                          aria-label={`${isOpen ? 'Hide' : 'Show'} attendance of ${label}`}
                          onClick={() => toggle(row.trainee.id)}
                        >
                          {isOpen ? 'Hide attendance' : 'Show attendance'}
                        </button>
                      ) : (
                        <span className="muted small" title={NOT_AVAILABLE}>
                          Not available <span className="visually-hidden">(not assigned to you)</span>
                        </span>
                      )}
                    </td>
                  </tr>
                  {available && isOpen ? (
                    <tr className="detail-row" id={detailId}>
                      <td colSpan={COLUMNS} className="detail-cell">
                        <TraineeAttendanceList trainee={row.trainee} />
                        <TraineeCourseProgress trainee={row.trainee} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </DataTable>
        )}
      </QueryView>
    </div>
  );
}
