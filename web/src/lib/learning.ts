import type { Course, CourseEnrolment, Lesson, TraineeCourse } from '../api/courses';
import { lessonsInOrder } from '../api/courses';
import { formatDateTime } from './time';

/**
 * Which lessons a trainee completed: the server names them (`completed_lesson_ids`, in the
 * entries of `GET /progress/trainee/{id}/courses` and in the answer to completing a lesson),
 * whatever completed them: the trainee's own mark, attendance at a session, an assessment.
 */
type Progress = Pick<TraineeCourse, 'completed_lesson_ids'>;

export function isLessonDone(lessonId: number, enrolment: Progress | undefined): boolean {
  return enrolment?.completed_lesson_ids.includes(lessonId) ?? false;
}

/** Where "Continue" leads: the first lesson not done; the first lesson once every one is. */
export function nextLesson(course: Pick<Course, 'modules'>, enrolment: Progress | undefined): Lesson | null {
  const lessons = lessonsInOrder(course);
  if (lessons.length === 0) return null;
  return lessons.find((lesson) => !isLessonDone(lesson.id, enrolment)) ?? lessons[0];
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** A due date as a local date, or the end of that day for a date without time. */
function dueInstant(due: string): Date {
  if (DATE_ONLY.test(due)) {
    const [year, month, day] = due.split('-').map(Number);
    return new Date(year, month - 1, day, 23, 59, 59, 999);
  }
  return new Date(due);
}

export function formatDue(due: string | null | undefined): string {
  if (!due) return 'No due date';
  if (DATE_ONLY.test(due)) return dateFormat.format(dueInstant(due));
  return formatDateTime(due);
}

/** Overdue: the due date has passed and the course is not completed. */
export function isOverdue(enrolment: Pick<CourseEnrolment, 'due_date' | 'status'>, now: Date = new Date()): boolean {
  if (!enrolment.due_date || enrolment.status === 'completed') return false;
  const due = dueInstant(enrolment.due_date);
  return !Number.isNaN(due.getTime()) && due.getTime() < now.getTime();
}
