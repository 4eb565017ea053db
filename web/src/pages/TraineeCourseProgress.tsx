import { useState } from 'react';
import { Link } from 'react-router';
import { useTraineeCourses } from '../api/courses';
import { ApiError } from '../api/errors';
import type { User } from '../api/types';
import { formatDue, isOverdue } from '../lib/learning';
import { ErrorNote, Loading, ProgressBar } from '../ui/states';
import { statusLabel } from './CourseEnrolmentsPage';

/**
 * A trainee's progress in their courses, for their trainer: asked for when the trainer
 * wants it (like their attendance), and followed live through `course_progress`.
 */
export function TraineeCourseProgress({ trainee }: { trainee: User }) {
  const [asked, setAsked] = useState(false);
  const mine = useTraineeCourses(trainee.id, { enabled: asked });
  const label = trainee.name || trainee.username;
  if (!asked) {
    return (
      <button type="button" className="button button-small" onClick={() => setAsked(true)}>
        Show course progress <span className="visually-hidden">of {label}</span>
      </button>
    );
  }
  if (mine.isPending) return <Loading label={`Loading the courses of ${label}…`} />;
  if (mine.error) {
    if (mine.error instanceof ApiError && (mine.error.status === 403 || mine.error.status === 404)) {
      return <p className="muted">Course progress is shown only for trainees assigned to you.</p>;
    }
    return <ErrorNote error={mine.error} onRetry={() => void mine.refetch()} />;
  }
  const { courses, statistics } = mine.data;
  if (courses.length === 0) return <p className="muted">{label} is not enrolled in any course.</p>;
  return (
    <div>
      <p className="small">
        Courses: <strong>{statistics.completed}</strong> of <strong>{statistics.total_enrolled}</strong> completed,
        average progress {Number(statistics.average_progress).toFixed(0)}%.
      </p>
      <ul className="attendance-list" aria-label={`Courses of ${label}`}>
        {courses.map((entry) => {
          const late = isOverdue(entry);
          return (
            <li key={entry.course_id}>
              <span className="attendance-list-session">
                <Link to={`/courses/${entry.course_id}/enrolments`}>{entry.course.title}</Link>{' '}
                <span className={late ? 'overdue small' : 'muted small'}>
                  {statusLabel(entry.status)} · due {formatDue(entry.due_date)}
                  {late ? ' · overdue' : ''}
                </span>
              </span>
              <ProgressBar value={entry.progress_percentage} label={`Progress of ${label} in ${entry.course.title}`} />
            </li>
          );
        })}
      </ul>
    </div>
  );
}
