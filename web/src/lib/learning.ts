import type { Course, CourseEnrolment, Lesson } from '../api/courses';
import { lessonsInOrder } from '../api/courses';
import { formatDateTime } from './time';

/**
 * What this browser knows of a trainee's lessons: the contract's CourseEnrolment gives counts
 * (`completed_lessons` of `total_lessons`), not which lessons. Marks made here are remembered
 * (lesson id -> done); for the rest a course is taken in order, so the first
 * `completed_lessons` lessons count as done.
 */
export type LessonMarks = Readonly<Record<number, boolean>>;

type Progress = Pick<CourseEnrolment, 'status' | 'completed_lessons'>;

export function isLessonDone(lessons: Lesson[], lessonId: number, enrolment: Progress | undefined, marks: LessonMarks) {
  if (lessonId in marks) return marks[lessonId];
  if (!enrolment || enrolment.status === 'not_started') return false;
  if (enrolment.status === 'completed') return true;
  const index = lessons.findIndex((lesson) => lesson.id === lessonId);
  return index >= 0 && index < enrolment.completed_lessons;
}

/** Where "Continue" leads: the first lesson not done; the first lesson of a finished course. */
export function nextLesson(
  course: Pick<Course, 'modules'>,
  enrolment: Progress | undefined,
  marks: LessonMarks = {},
): Lesson | null {
  const lessons = lessonsInOrder(course);
  if (lessons.length === 0) return null;
  if (enrolment?.status === 'completed') return lessons[0];
  return lessons.find((lesson) => !isLessonDone(lessons, lesson.id, enrolment, marks)) ?? lessons[0];
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
