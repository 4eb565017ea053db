import { useMemo } from 'react';
import { useTrainerProgress, useTrainerTrainees } from '../api/queries';
import { useMe } from '../auth/session';
import { formatDateTime } from '../lib/time';
import { PageHeader } from '../ui/PageHeader';
import { ErrorNote, ProgressBar, QueryView } from '../ui/states';

export function TrainerTraineesPage() {
  const me = useMe();
  const trainees = useTrainerTrainees(me.id);
  const progress = useTrainerProgress(me.id);
  const byTrainee = useMemo(() => new Map((progress.data ?? []).map((p) => [p.trainee_id, p])), [progress.data]);
  return (
    <div>
      <PageHeader title="My trainees">
        <p className="muted">Trainees assigned to you or enrolled in your sessions, with their attendance progress.</p>
      </PageHeader>
      {progress.error ? <ErrorNote error={progress.error} onRetry={() => void progress.refetch()} /> : null}
      <QueryView query={trainees} empty="You have no trainees yet.">
        {(data) => (
          <div className="table-wrap">
            <table className="table responsive" data-testid="trainer-trainees">
              <caption className="visually-hidden">My trainees</caption>
              <thead>
                <tr>
                  <th scope="col">Trainee</th>
                  <th scope="col">Sessions</th>
                  <th scope="col">Last active</th>
                  <th scope="col">Status</th>
                  <th scope="col">Progress</th>
                </tr>
              </thead>
              <tbody>
                {data.map((row) => {
                  const p = byTrainee.get(row.trainee.id);
                  const label = row.trainee.name || row.trainee.username;
                  return (
                    <tr key={row.trainee.id}>
                      <td data-label="Trainee">
                        {label}
                        <div className="muted small">{row.trainee.email}</div>
                      </td>
                      <td data-label="Sessions">{row.sessions_count}</td>
                      <td data-label="Last active">{formatDateTime(row.last_active)}</td>
                      <td data-label="Status">
                        <span className={`badge badge-${row.status}`}>{row.status}</span>
                      </td>
                      <td data-label="Progress">
                        {p ? (
                          <>
                            <ProgressBar value={p.progress_percentage} label={`Progress of ${label}`} />
                            <div className="muted small">
                              {p.attended_sessions} of {p.total_sessions} attended
                            </div>
                          </>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </div>
  );
}
