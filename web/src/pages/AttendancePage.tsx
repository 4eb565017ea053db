import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { useAttendance, useSession } from '../api/queries';
import type { TrainingSession, User } from '../api/types';
import { formatDateTime } from '../lib/time';
import { markOwnSessionChange } from '../realtime/LiveProvider';
import { DataTable } from '../ui/DataTable';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ErrorNote, QueryView, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';

export function AttendancePage() {
  const id = Number(useParams().id);
  const session = useSession(id);
  return <QueryView query={session}>{(data) => <AttendanceSheet session={data} />}</QueryView>;
}

function AttendanceSheet({ session }: { session: TrainingSession }) {
  const queryClient = useQueryClient();
  const attendance = useAttendance(session.id);
  const [pending, setPending] = useState<Record<number, boolean>>({});
  const [busyAll, setBusyAll] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const marks = new Map((attendance.data ?? []).map((a) => [a.trainee.id, a]));
  const mark = async (trainee: User, present: boolean) => {
    setPending((p) => ({ ...p, [trainee.id]: present }));
    markOwnSessionChange(session.id);
    try {
      await api.POST('/attendance', { body: { session_id: session.id, trainee_id: trainee.id, present } });
    } finally {
      await queryClient.invalidateQueries({ queryKey: ['attendance', session.id] });
      setPending((p) => {
        const next = { ...p };
        delete next[trainee.id];
        return next;
      });
    }
  };
  const markOne = async (trainee: User, present: boolean) => {
    setError(null);
    try {
      await mark(trainee, present);
    } catch (caught) {
      setError(caught);
      showToast({
        title: `Could not mark ${trainee.name || trainee.username}`,
        body: describeError(caught),
        tone: 'error',
      });
    }
  };
  const markAll = async () => {
    setBusyAll(true);
    setError(null);
    try {
      for (const trainee of session.trainees) await mark(trainee, true);
      showToast({ title: 'Everyone is marked present', body: 'Untick anyone who is absent.', tone: 'success' });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusyAll(false);
    }
  };

  const presentCount = session.trainees.filter((t) => (pending[t.id] ?? marks.get(t.id)?.present) === true).length;

  return (
    <div>
      <PageHeader
        title={`Attendance: ${session.title}`}
        actions={
          <button
            type="button"
            className="button button-primary"
            disabled={busyAll || !session.trainees.length}
            onClick={() => void markAll()}
          >
            {busyAll ? 'Marking…' : 'Mark all present'}
          </button>
        }
      >
        <p className="muted">
          {formatDateTime(session.scheduled_date)} · <StatusBadge status={session.status} /> ·{' '}
          <Link to={`/sessions/${session.id}`}>Session details</Link>
        </p>
      </PageHeader>
      {error ? <ErrorNote error={error} /> : null}
      {session.trainees.length === 0 ? (
        <Empty>No trainee is enrolled in this session.</Empty>
      ) : (
        <QueryView query={attendance} loadingLabel="Loading attendance…">
          {() => (
            <>
              <p aria-live="polite" className="summary-line" data-testid="attendance-summary">
                {presentCount} of {session.trainees.length} present
              </p>
              <DataTable caption="Attendance" columns={['Trainee', 'Present', 'Recorded']}>
                {session.trainees.map((t) => {
                  const record = marks.get(t.id);
                  const present = pending[t.id] ?? record?.present ?? false;
                  const label = t.name || t.username;
                  return (
                    <tr key={t.id} data-testid={`attendance-row-${t.username}`}>
                      <td data-label="Trainee">{label}</td>
                      <td data-label="Present">
                        <label className="switch">
                          <input
                            type="checkbox"
                            checked={present}
                            disabled={t.id in pending || busyAll}
                            onChange={(e) => void markOne(t, e.target.checked)}
                            aria-label={`${label} present`}
                          />
                          <span>{record || t.id in pending ? (present ? 'Present' : 'Absent') : 'Not marked'}</span>
                        </label>
                      </td>
                      <td data-label="Recorded">{record ? formatDateTime(record.marked_at) : '—'}</td>
                    </tr>
                  );
                })}
              </DataTable>
            </>
          )}
        </QueryView>
      )}
    </div>
  );
}
