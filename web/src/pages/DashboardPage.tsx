import { Link } from 'react-router';
import { useOverview } from '../api/queries';
import type { Overview } from '../api/types';
import { formatDateTime } from '../lib/time';
import { type Datum, DonutChart, SimpleBarChart } from '../ui/charts';
import { PageHeader } from '../ui/PageHeader';
import { Empty, QueryView } from '../ui/states';
import { useUserNamesIfAllowed } from './sessionHelpers';

export const ATTENDANCE_COUNTS = 'present marks ÷ enrolments, completed sessions only';
export const SESSIONS_COUNT = 'Every session, past and future, by its status.';
export const PROGRESS_DIFFERS =
  "Attendance here counts completed sessions only. A trainee's progress (on their own page and on a trainer's " +
  '“My trainees”) counts every session they are enrolled in, upcoming ones included, so the two figures differ.';

export const toData = (record: Record<string, number> | undefined): Datum[] =>
  Object.entries(record ?? {}).map(([name, value]) => ({ name, value: Number(value) || 0 }));

const sum = (record: Record<string, number> | undefined) =>
  Object.values(record ?? {}).reduce((a, b) => a + (Number(b) || 0), 0);

function upcomingCount(trainees: unknown): number {
  if (Array.isArray(trainees)) return trainees.length;
  return typeof trainees === 'number' ? trainees : 0;
}

export function DashboardPage() {
  const overview = useOverview();
  const names = useUserNamesIfAllowed();
  return (
    <div>
      <PageHeader title="Dashboard" />
      <QueryView query={overview} loadingLabel="Loading the overview…">
        {(o: Overview) => (
          <>
            <ul className="stats" aria-label="Key figures">
              <li className="stat">
                <span className="stat-value">{sum(o.users_by_role)}</span>
                <span className="stat-label">users</span>
              </li>
              <li className="stat">
                <span className="stat-value">{o.sessions_by_status?.scheduled ?? 0}</span>
                <span className="stat-label">scheduled sessions</span>
                <span className="stat-note">not yet completed or cancelled, past or future</span>
              </li>
              <li className="stat">
                <span className="stat-value">{Number(o.attendance_rate ?? 0).toFixed(1)}%</span>
                <span className="stat-label">attendance</span>
                <span className="stat-note">{ATTENDANCE_COUNTS}</span>
              </li>
              <li className="stat">
                <span className="stat-value">{o.trainees_without_sessions ?? 0}</span>
                <span className="stat-label">trainees without sessions</span>
                <span className="stat-note">enrolled in none, past or future</span>
              </li>
            </ul>
            <p className="muted small" data-testid="figures-note">
              {PROGRESS_DIFFERS}
            </p>
            <div className="charts">
              <DonutChart
                title="Users by role"
                note="Every account."
                empty="No users yet."
                data={toData(o.users_by_role)}
              />
              <SimpleBarChart
                title="Sessions by status"
                note={SESSIONS_COUNT}
                empty="No sessions yet."
                data={toData(o.sessions_by_status)}
                colourBy="status"
              />
            </div>
            <section className="card" aria-labelledby="upcoming-title">
              <h2 id="upcoming-title">Next 7 days</h2>
              {o.upcoming?.length ? (
                <ul className="upcoming">
                  {o.upcoming.map((u) => (
                    <li key={u.id}>
                      <Link to={`/sessions/${u.id}`}>{u.title}</Link>
                      <span className="muted">
                        {' '}
                        · {formatDateTime(u.scheduled_date)} · {names(u.trainer_id)} · {upcomingCount(u.trainees)}{' '}
                        trainee(s)
                      </span>
                    </li>
                  ))}
                </ul>
              ) : (
                <Empty>No sessions in the next 7 days.</Empty>
              )}
            </section>
          </>
        )}
      </QueryView>
    </div>
  );
}
