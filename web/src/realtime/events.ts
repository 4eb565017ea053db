import type { LiveEvent, User } from '../api/types';

/** Which query families an event makes stale (see keys in api/queries.ts). */
const SESSION_FAMILIES = [
  'sessions',
  'session',
  'available',
  'attendance',
  'progress',
  'trainer-trainees',
  'analytics',
];
const COURSE_FAMILIES = ['courses', 'course', 'course-progress'];
const FAMILIES: Record<string, string[]> = {
  user_created: ['users', 'user', 'analytics', 'assignments', 'trainer-trainees', 'progress'],
  user_updated: [
    'users',
    'user',
    'sessions',
    'session',
    'assignments',
    'trainer-trainees',
    'progress',
    'attendance',
    'analytics',
  ],
  user_deleted: [
    'users',
    'user',
    'sessions',
    'session',
    'assignments',
    'trainer-trainees',
    'progress',
    'attendance',
    'analytics',
  ],
  password_changed: ['users', 'user'],
  password_reset: ['users', 'user'],
  session_created: SESSION_FAMILIES,
  session_updated: SESSION_FAMILIES,
  session_deleted: SESSION_FAMILIES,
  trainee_added_to_session: SESSION_FAMILIES,
  trainee_removed_from_session: SESSION_FAMILIES,
  trainee_joined_via_link: SESSION_FAMILIES,
  // Booking: places and waitlists change.
  session_booked: SESSION_FAMILIES,
  booking_cancelled: SESSION_FAMILIES,
  waitlist_promoted: SESSION_FAMILIES,
  room_created: ['rooms'],
  room_updated: ['rooms'],
  room_deleted: ['rooms', 'sessions', 'session'],
  // Who may read a trainee's progress and attendance changes with the assignment.
  student_assigned: ['assignments', 'trainer-trainees', 'progress', 'attendance'],
  student_unassigned: ['assignments', 'trainer-trainees', 'progress', 'attendance'],
  attendance_marked: ['attendance', 'progress', 'analytics', 'trainer-trainees'],
  attendance_updated: ['attendance', 'progress', 'analytics', 'trainer-trainees'],
  attendance_deleted: ['attendance', 'progress', 'analytics', 'trainer-trainees'],
  // A job was dead-lettered (admins only).
  job_failed: ['jobs'],
  // Courses and learning (api/courses.ts keys). A trainee's catalogue follows their enrolments;
  // what concerns them personally comes as a `notification`, which already makes a toast.
  course_created: COURSE_FAMILIES,
  course_updated: COURSE_FAMILIES,
  course_deleted: COURSE_FAMILIES,
  course_enrolled: [...COURSE_FAMILIES, 'course-enrolments'],
  course_unenrolled: [...COURSE_FAMILIES, 'course-enrolments'],
  lesson_completed: ['course-enrolments', 'course-progress'],
  course_progress: ['course-enrolments', 'course-progress', 'analytics'],
};

/** The query families to refetch after an event; the audit log changes with every write. */
export function staleFamilies(event: LiveEvent): string[] {
  const families = FAMILIES[event.type];
  if (!families) return [];
  return [...families, 'audit'];
}

const num = (value: unknown): number | null =>
  typeof value === 'number' ? value : value == null ? null : Number(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

function includesId(list: unknown, id: number): boolean {
  return (
    Array.isArray(list) &&
    list.some((item) => num(typeof item === 'object' && item ? (item as { id?: unknown }).id : item) === id)
  );
}

export interface Toast {
  title: string;
  body?: string;
  tone: 'info' | 'success' | 'warning';
}

/** A toast for events that concern the signed-in user; null for the rest. */
export function toastFor(event: LiveEvent, me: User, sessionTitle: (id: number) => string | null): Toast | null {
  const d = event.data;
  const sessionId = num(d.session_id ?? (event.type === 'session_created' ? d.id : null));
  const title = str(d.title) ?? (sessionId != null ? sessionTitle(sessionId) : null);
  const named = title ? `“${title}”` : 'a session';
  switch (event.type) {
    case 'notification': {
      const target = num(d.user_id);
      if (target != null && target !== me.id) return null;
      return { title: str(d.title) ?? 'Notification', body: str(d.message) ?? undefined, tone: 'info' };
    }
    case 'trainee_joined_via_link':
      if (me.role === 'trainee') return null;
      return {
        title: 'A trainee joined',
        body: str(d.message) ?? `A trainee joined ${named} through its link.`,
        tone: 'info',
      };
    case 'password_reset':
      return null;
  }
  if (me.role === 'trainee') {
    switch (event.type) {
      case 'session_created':
        return includesId(d.trainees, me.id)
          ? { title: 'New session', body: `You are enrolled in ${named}.`, tone: 'info' }
          : null;
      case 'trainee_added_to_session':
        return num(d.trainee_id) === me.id
          ? { title: 'Enrolled', body: `You were added to ${named}.`, tone: 'info' }
          : null;
      case 'trainee_removed_from_session':
        return num(d.trainee_id) === me.id
          ? { title: 'Removed from a session', body: `You were removed from ${named}.`, tone: 'warning' }
          : null;
      case 'session_updated':
        if (d.status === 'cancelled')
          return { title: 'Session cancelled', body: `${capitalize(named)} was cancelled.`, tone: 'warning' };
        return { title: 'Session updated', body: `${capitalize(named)} was changed.`, tone: 'info' };
      case 'session_deleted':
        return { title: 'Session removed', body: `${capitalize(named)} was removed.`, tone: 'warning' };
      case 'attendance_marked':
        if (num(d.trainee_id) !== me.id) return null;
        return {
          title: 'Attendance recorded',
          body: `You were marked ${d.present ? 'present' : 'absent'} in ${named}.`,
          tone: d.present ? 'success' : 'info',
        };
      case 'student_assigned':
        return num(d.student_id) === me.id
          ? { title: 'Trainer assigned', body: 'You were assigned to a trainer.', tone: 'info' }
          : null;
      default:
        return null;
    }
  }
  if (me.role === 'trainer') {
    switch (event.type) {
      case 'student_assigned':
        return num(d.teacher_id) === me.id
          ? { title: 'New trainee', body: 'A trainee was assigned to you.', tone: 'info' }
          : null;
      case 'student_unassigned':
        return num(d.teacher_id) === me.id
          ? { title: 'Trainee unassigned', body: 'A trainee is no longer assigned to you.', tone: 'info' }
          : null;
      case 'session_created':
        return num(d.trainer) === me.id
          ? { title: 'Session scheduled', body: `${capitalize(named)} is on your calendar.`, tone: 'info' }
          : null;
      case 'session_deleted':
        return { title: 'Session removed', body: `${capitalize(named)} was removed.`, tone: 'warning' };
      default:
        return null;
    }
  }
  return null;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Events that are about the session the user just made themself, to avoid echo toasts. */
export function sessionIdOf(event: LiveEvent): number | null {
  return num(event.data.session_id ?? (event.type === 'session_created' ? event.data.id : null));
}
