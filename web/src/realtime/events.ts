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
const BATCH_FAMILIES = ['batches', 'batch', 'batch-trainees'];
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
  // Assessments (api/assessments.ts keys): the trainee's results, the grading queue.
  assessment_attempted: ['attempts', 'course-enrolments', 'course-progress'],
  assessment_graded: ['attempts', 'course-enrolments', 'course-progress'],
  // A completed course issues a certificate, awards skills and may reach a milestone.
  course_completed: [
    'course-enrolments',
    'course-progress',
    'analytics',
    'certificates',
    'compliance',
    'user-skills',
    'skill-matrix',
    'achievements',
  ],
  // Certificates (api/certificates.ts keys): the public check of a revoked one changes too.
  certificate_issued: ['certificates', 'compliance'],
  certificate_revoked: ['certificates', 'compliance', 'verify'],
  certificate_renewed: ['certificates', 'compliance', 'course-enrolments', 'course-progress'],
  // Batches (api/batches.ts keys); those who join are enrolled in its courses (course_enrolled).
  batch_created: BATCH_FAMILIES,
  batch_updated: BATCH_FAMILIES,
  batch_deleted: BATCH_FAMILIES,
  batch_trainees_added: BATCH_FAMILIES,
  batch_trainee_removed: BATCH_FAMILIES,
  // Skills (api/skills.ts keys): the catalogue, a user's skills and the matrix.
  skill_created: ['skills', 'skill-matrix'],
  skill_updated: ['skills', 'skill-matrix', 'user-skills', 'courses', 'course'],
  skill_deleted: ['skills', 'skill-matrix', 'user-skills', 'courses', 'course'],
  skill_awarded: ['user-skills', 'skill-matrix'],
  // Imports (to the importer only): the bar moves with import_progress (api/imports.ts).
  import_finished: ['imports', 'users', 'user', 'analytics'],
  // The caller's own notifications (api/notifications.ts keys): the bell, its list and the page.
  notification: ['notifications'],
  notifications_read: ['notifications'],
  // A milestone reached (to its holder and admins): the achievements lists (api/achievements.ts).
  achievement_awarded: ['achievements', 'notifications'],
};

/**
 * The query families to refetch after an event; the audit log changes with every write, and
 * the activity timelines are read from it.
 */
export function staleFamilies(event: LiveEvent): string[] {
  const families = FAMILIES[event.type];
  if (!families) return [];
  return [...families, 'audit', 'activity'];
}

const num = (value: unknown): number | null =>
  typeof value === 'number' ? value : value == null ? null : Number(value);
const str = (value: unknown): string | null => (typeof value === 'string' && value ? value : null);

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
      // An achievement's own event makes its toast (below): one toast, not two.
      if (d.type === 'achievement_awarded') return null;
      return { title: str(d.title) ?? 'Notification', body: str(d.message) ?? undefined, tone: 'info' };
    }
    case 'achievement_awarded': {
      if (num(d.user_id) !== me.id) return null;
      return { title: 'Achievement unlocked', body: str(d.title) ?? undefined, tone: 'success' };
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
    // Being enrolled in, removed from, or told of a change to or the end of a session comes
    // as a `notification` (with its own toast above): the session events themselves stay silent.
    switch (event.type) {
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
      case 'assessment_graded':
        if (num(d.trainee_id) !== me.id) return null;
        return {
          title: 'Assessment graded',
          body: `Your attempt scored ${num(d.score)}%: ${d.passed ? 'passed' : 'not passed'}.`,
          tone: d.passed ? 'success' : 'info',
        };
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
