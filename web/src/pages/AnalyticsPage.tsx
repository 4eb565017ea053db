import { useOverview } from '../api/queries';
import { DonutChart, GroupedBarChart, SimpleBarChart } from '../ui/charts';
import { DataTable } from '../ui/DataTable';
import { PageHeader } from '../ui/PageHeader';
import { Empty, ProgressBar, QueryView } from '../ui/states';
import { ATTENDANCE_COUNTS, PROGRESS_DIFFERS, SESSIONS_COUNT, toData } from './DashboardPage';

export function AnalyticsPage() {
  const overview = useOverview();
  return (
    <div>
      <PageHeader title="Analytics" />
      <QueryView query={overview} loadingLabel="Loading analytics…">
        {(o) => (
          <>
            <section className="card" aria-labelledby="attendance-title">
              <h2 id="attendance-title">Attendance</h2>
              <ProgressBar value={Number(o.attendance_rate ?? 0)} label="Attendance rate of completed sessions" />
              <p className="muted small">Present marks divided by enrolments, over completed sessions only.</p>
              <p className="muted small" data-testid="figures-note">
                {PROGRESS_DIFFERS}
              </p>
            </section>
            <section className="card" aria-labelledby="courses-title">
              <h2 id="courses-title">Courses</h2>
              <ul className="stats" aria-label="Course figures">
                <li className="stat">
                  <span className="stat-value">{o.courses.published}</span>
                  <span className="stat-label">published courses</span>
                  <span className="stat-note">drafts and archived ones left out</span>
                </li>
                <li className="stat">
                  <span className="stat-value">{o.courses.enrolments}</span>
                  <span className="stat-label">course enrolments</span>
                  <span className="stat-note">trainees enrolled, course by course</span>
                </li>
                <li className="stat">
                  <span className="stat-value">{Number(o.courses.completion_rate).toFixed(1)}%</span>
                  <span className="stat-label">completed</span>
                  <span className="stat-note">enrolments with every lesson of the course done</span>
                </li>
              </ul>
            </section>
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
            <section aria-labelledby="trainers-title">
              <h2 id="trainers-title">Trainers</h2>
              {o.trainers?.length ? (
                <>
                  <div className="charts">
                    <GroupedBarChart
                      title="Sessions and hours per trainer"
                      note="Sessions: all but cancelled ones, past and future. Hours: completed sessions only."
                      empty="No trainer has sessions yet."
                      data={o.trainers.map((t) => ({ name: t.name, sessions: t.sessions, hours: Number(t.hours) }))}
                      series={[
                        { key: 'sessions', label: 'Sessions' },
                        { key: 'hours', label: 'Hours' },
                      ]}
                    />
                    <SimpleBarChart
                      title="Attendance rate per trainer (%)"
                      note={`${ATTENDANCE_COUNTS[0].toUpperCase()}${ATTENDANCE_COUNTS.slice(1)}.`}
                      empty="No completed session has a present mark yet."
                      unit="%"
                      data={o.trainers.map((t) => ({ name: t.name, value: Number(t.attendance_rate) }))}
                    />
                  </div>
                  <DataTable caption="Trainers" columns={['Trainer', 'Sessions', 'Hours', 'Attendance']}>
                    {o.trainers.map((t) => (
                      <tr key={t.trainer_id}>
                        <td data-label="Trainer">{t.name}</td>
                        <td data-label="Sessions">{t.sessions}</td>
                        <td data-label="Hours">{Number(t.hours).toFixed(1)}</td>
                        <td data-label="Attendance">{Number(t.attendance_rate).toFixed(1)}%</td>
                      </tr>
                    ))}
                  </DataTable>
                </>
              ) : (
                <Empty>No trainer has sessions yet.</Empty>
              )}
            </section>
          </>
        )}
      </QueryView>
    </div>
  );
}
