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
  it('tells a trainee their attempt was graded', () => {
    expect(
      toastFor({ type: 'assessment_graded', data: { trainee_id: 7, score: 87.5, passed: true } }, trainee, titles),
    ).toEqual({ title: 'Assessment graded', body: 'Your attempt scored 87.5%: passed.', tone: 'success' });
    expect(
      toastFor({ type: 'assessment_graded', data: { trainee_id: 8, score: 20, passed: false } }, trainee, titles),
    ).toBeNull();
    expect(staleFamilies({ type: 'assessment_graded', data: {} })).toEqual(
      expect.arrayContaining(['attempts', 'course-progress']),
    );
  });

  it('tells a trainee about their own attendance; their sessions come as notifications, not twice', () => {
    expect(
      toastFor({ type: 'attendance_marked', data: { session_id: 5, trainee_id: 7, present: true } }, trainee, titles)
        ?.body,
    ).toBe('You were marked present in “Safety 101”.');
    expect(
      toastFor({ type: 'attendance_marked', data: { session_id: 5, trainee_id: 8, present: true } }, trainee, titles),
    ).toBeNull();
    for (const event of [
      { type: 'trainee_added_to_session', data: { session_id: 5, trainee_id: 7 } },
      { type: 'trainee_removed_from_session', data: { session_id: 5, trainee_id: 7 } },
      { type: 'session_created', data: { id: 9, title: 'New one', trainees: [7] } },
      { type: 'session_updated', data: { session_id: 5, status: 'cancelled' } },
      { type: 'session_deleted', data: { session_id: 5 } },
    ]) {
      expect(toastFor(event, trainee, titles)).toBeNull();
    }
    const enrolled = {
      type: 'notification',
      data: { type: 'session_assigned', title: 'You were enrolled in a session', message: 'Safety 101', user_id: 7 },
    };
    expect(toastFor(enrolled, trainee, titles)).toEqual({
      title: 'You were enrolled in a session',
      body: 'Safety 101',
      tone: 'info',
    });
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

describe('batch events', () => {
  it('refresh the batch list, a batch and its members (api/batches.ts keys)', () => {
    for (const type of [
      'batch_created',
      'batch_updated',
      'batch_deleted',
      'batch_trainees_added',
      'batch_trainee_removed',
    ]) {
      expect(staleFamilies({ type, data: {} })).toEqual(expect.arrayContaining(['batches', 'batch', 'batch-trainees']));
    }
  });
});

describe('achievement events', () => {
  const trainee = { id: 7, role: 'trainee' } as Parameters<typeof toastFor>[1];
  const event = {
    type: 'achievement_awarded',
    data: { user_id: 7, kind: 'ten_sessions_attended', title: 'Ten sessions attended' },
  };

  it('toast their holder once (the notification that comes with it stays quiet)', () => {
    expect(toastFor(event, trainee, () => null)).toEqual({
      title: 'Achievement unlocked',
      body: 'Ten sessions attended',
      tone: 'success',
    });
    expect(toastFor(event, { ...trainee, id: 8 }, () => null)).toBeNull();
    const note = {
      type: 'notification',
      data: { type: 'achievement_awarded', title: 'Achievement unlocked', user_id: 7 },
    };
    expect(toastFor(note, trainee, () => null)).toBeNull();
  });

  it('refresh the achievements lists, and every timeline with the audit', () => {
    expect(staleFamilies(event)).toEqual(expect.arrayContaining(['achievements', 'activity', 'audit']));
    expect(staleFamilies({ type: 'attendance_marked', data: {} })).toContain('activity');
  });
});
