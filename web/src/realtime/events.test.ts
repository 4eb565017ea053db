import { describe, expect, it } from 'vitest';
import { keys } from '../api/queries';
import { makeUser } from '../test/utils';
import { staleFamilies, toastFor } from './events';

const trainee = makeUser({ id: 7, role: 'trainee', username: 'tia' });
const trainer = makeUser({ id: 3, role: 'trainer', username: 'tom' });
const titles = (id: number) => (id === 5 ? 'Safety 101' : null);

describe('staleFamilies', () => {
  it('refreshes sessions and progress when attendance or enrolment changes', () => {
    expect(staleFamilies({ type: 'attendance_marked', data: {} })).toEqual(
      expect.arrayContaining(['attendance', 'progress', 'audit']),
    );
    expect(staleFamilies({ type: 'trainee_added_to_session', data: {} })).toEqual(
      expect.arrayContaining(['sessions', 'session', 'progress']),
    );
    expect(staleFamilies({ type: 'user_created', data: {} })).toContain('users');
    expect(staleFamilies({ type: 'something_else', data: {} })).toEqual([]);
  });

  it("refreshes a trainee's attendance list (keys.traineeAttendance) on every attendance event and on assignment changes", () => {
    const family = keys.traineeAttendance(7)[0];
    for (const type of [
      'attendance_marked',
      'attendance_updated',
      'attendance_deleted',
      'student_assigned',
      'student_unassigned',
    ]) {
      expect(staleFamilies({ type, data: {} })).toContain(family);
    }
  });
});

describe('toastFor', () => {
  it('tells a trainee about their own enrolment and attendance only', () => {
    expect(
      toastFor({ type: 'trainee_added_to_session', data: { session_id: 5, trainee_id: 7 } }, trainee, titles)?.body,
    ).toBe('You were added to “Safety 101”.');
    expect(
      toastFor({ type: 'trainee_added_to_session', data: { session_id: 5, trainee_id: 8 } }, trainee, titles),
    ).toBeNull();
    expect(
      toastFor({ type: 'attendance_marked', data: { session_id: 5, trainee_id: 7, present: true } }, trainee, titles)
        ?.body,
    ).toBe('You were marked present in “Safety 101”.');
    expect(
      toastFor({ type: 'session_created', data: { id: 9, title: 'New one', trainees: [7] } }, trainee, titles)?.body,
    ).toBe('You are enrolled in “New one”.');
  });

  it('shows notifications addressed to the user', () => {
    const note = { type: 'notification', data: { title: 'Reminder', message: 'Starts soon', user_id: 3 } };
    expect(toastFor(note, trainer, titles)).toEqual({ title: 'Reminder', body: 'Starts soon', tone: 'info' });
    expect(toastFor(note, trainee, titles)).toBeNull();
  });

  it('tells a trainer about trainees assigned to them', () => {
    expect(toastFor({ type: 'student_assigned', data: { student_id: 7, teacher_id: 3 } }, trainer, titles)?.title).toBe(
      'New trainee',
    );
    expect(toastFor({ type: 'student_assigned', data: { student_id: 7, teacher_id: 4 } }, trainer, titles)).toBeNull();
  });
});

describe('course events', () => {
  it('refresh the course lists, a learner list and a trainee’s courses (api/courses.ts keys)', () => {
    const progress = staleFamilies({ type: 'course_progress', data: {} });
    expect(progress).toEqual(expect.arrayContaining(['course-enrolments', 'course-progress']));
    expect(staleFamilies({ type: 'lesson_completed', data: {} })).toEqual(
      expect.arrayContaining(['course-enrolments', 'course-progress']),
    );
    for (const type of ['course_enrolled', 'course_unenrolled']) {
      expect(staleFamilies({ type, data: {} })).toEqual(
        expect.arrayContaining(['courses', 'course-enrolments', 'course-progress']),
      );
    }
    for (const type of ['course_created', 'course_updated', 'course_deleted']) {
      expect(staleFamilies({ type, data: {} })).toEqual(expect.arrayContaining(['courses', 'course']));
    }
  });
});
