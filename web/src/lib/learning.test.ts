import { describe, expect, it } from 'vitest';
import type { Course } from '../api/courses';
import { makeLesson } from '../test/courses';
import { isLessonDone, isOverdue, nextLesson } from './learning';

const lesson = (id: number, moduleId: number, position: number) => makeLesson({ id, module_id: moduleId, position });

// Modules and lessons arrive out of order on purpose: positions decide.
const course: Pick<Course, 'modules'> = {
  modules: [
    { id: 2, title: 'Second', position: 2, lessons: [lesson(21, 2, 1)] },
    { id: 1, title: 'First', position: 1, lessons: [lesson(12, 1, 2), lesson(11, 1, 1)] },
  ],
};

describe('nextLesson', () => {
  it('starts at the first lesson of the first module', () => {
    expect(nextLesson(course, { completed_lesson_ids: [] })?.id).toBe(11);
    expect(nextLesson(course, undefined)?.id).toBe(11);
  });

  it('continues at the first lesson the server does not name as completed', () => {
    expect(nextLesson(course, { completed_lesson_ids: [11, 12] })?.id).toBe(21);
    // Completed out of order (the second lesson, and the session lesson of module 2):
    // the first lesson is still to do, whatever the count says.
    expect(nextLesson(course, { completed_lesson_ids: [12, 21] })?.id).toBe(11);
  });

  it('tells each lesson by its id, not by its place', () => {
    const progress = { completed_lesson_ids: [12] };
    expect(isLessonDone(12, progress)).toBe(true);
    expect(isLessonDone(11, progress)).toBe(false);
    expect(isLessonDone(11, undefined)).toBe(false);
  });

  it('reopens a completed course at its start, and has nothing for an empty one', () => {
    expect(nextLesson(course, { completed_lesson_ids: [11, 12, 21] })?.id).toBe(11);
    expect(nextLesson({ modules: [] }, undefined)).toBeNull();
  });
});

describe('isOverdue', () => {
  const now = new Date(2026, 5, 10, 12, 0);
  it('is overdue after the due day ends, unless completed', () => {
    expect(isOverdue({ due_date: '2026-06-09', status: 'in_progress' }, now)).toBe(true);
    expect(isOverdue({ due_date: '2026-06-10', status: 'in_progress' }, now)).toBe(false);
    expect(isOverdue({ due_date: '2026-06-09', status: 'completed' }, now)).toBe(false);
    expect(isOverdue({ due_date: null, status: 'not_started' }, now)).toBe(false);
    expect(
      isOverdue({ due_date: '2026-06-10T09:00:00+00:00', status: 'not_started' }, new Date('2026-06-10T10:00:00Z')),
    ).toBe(true);
  });
});
