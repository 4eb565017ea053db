import { Link } from 'react-router';
import { type TraineeCourse, useTraineeCourses } from '../api/courses';
import { useMe } from '../auth/session';
import { formatDue, isOverdue } from '../lib/learning';
import { PageHeader } from '../ui/PageHeader';
import { ProgressBar, QueryView } from '../ui/states';
import { statusLabel } from './CourseEnrolmentsPage';

function continueLabel(entry: TraineeCourse): string {
  if (entry.status === 'completed') return 'Review';
  return entry.status === 'not_started' ? 'Start' : 'Continue';
}

/** A trainee's courses: progress, due dates and the way back in. */
export function LearningPage() {
  const me = useMe();
  const mine = useTraineeCourses(me.id);
  return (
    <div>
      <PageHeader title="My learning" />
      <QueryView query={mine} loadingLabel="Loading your courses…">
        {({ courses, statistics }) => (
          <>
            <ul className="stats" aria-label="My course figures">
              <li className="stat">
                <span className="stat-value">{statistics.total_enrolled}</span>
                <span className="stat-label">courses</span>
              </li>
              <li className="stat">
                <span className="stat-value">{statistics.completed}</span>
                <span className="stat-label">completed</span>
              </li>
              <li className="stat">
                <span className="stat-value">{statistics.in_progress}</span>
                <span className="stat-label">in progress</span>
              </li>
              <li className="stat">
                <span className="stat-value">{statistics.not_started}</span>
                <span className="stat-label">not started</span>
              </li>
              <li className="stat">
                <span className="stat-value">{Number(statistics.average_progress).toFixed(0)}%</span>
                <span className="stat-label">average progress</span>
              </li>
            </ul>
            {courses.length === 0 ? (
              <p className="empty">You are not enrolled in any course yet. Courses appear here as soon as you are.</p>
            ) : (
              <ul className="session-cards" data-testid="my-courses">
                {courses.map((entry) => {
                  const late = isOverdue(entry);
                  return (
                    <li
                      key={entry.course_id}
                      className={`card session-card${late ? ' overdue-card' : ''}`}
                      data-testid={`my-course-${entry.course_id}`}
                    >
                      <h2>
                        {entry.course.title} <span className="muted small mono">{entry.course.code}</span>
                      </h2>
                      <ProgressBar value={entry.progress_percentage} label={`Progress in ${entry.course.title}`} />
                      <p className="small">
                        {entry.completed_lessons} of {entry.total_lessons} lessons ·{' '}
                        <span className={`badge badge-${entry.status}`}>{statusLabel(entry.status)}</span>
                      </p>
                      <p className={late ? 'overdue' : 'muted small'}>
                        Due: {formatDue(entry.due_date)}
                        {late ? <strong> · overdue</strong> : null}
                      </p>
                      <div className="button-row">
                        <Link className="button button-primary" to={`/learning/${entry.course_id}/next`}>
                          {continueLabel(entry)} <span className="visually-hidden">{entry.course.title}</span>
                        </Link>
                        <Link className="button" to={`/learning/${entry.course_id}`}>
                          Outline <span className="visually-hidden">of {entry.course.title}</span>
                        </Link>
                      </div>
                    </li>
                  );
                })}
              </ul>
            )}
          </>
        )}
      </QueryView>
    </div>
  );
}
