import { describe, expect, it } from 'vitest';
import type { Course, Lesson } from '../api/courses';
import { isLessonDone, isOverdue, nextLesson } from './learning';

function lesson(id: number, moduleId: number, position: number): Lesson {
  return {
    id,
    module_id: moduleId,
    title: `Lesson ${id}`,
    kind: 'text',
    body: '',
    body_html: '',
    video_url: null,
    file: null,
    duration_minutes: null,
    position,
  };
}

// Modules and lessons arrive out of order on purpose: positions decide.
const course: Pick<Course, 'modules'> = {
  modules: [
    { id: 2, title: 'Second', position: 2, lessons: [lesson(21, 2, 1)] },
    { id: 1, title: 'First', position: 1, lessons: [lesson(12, 1, 2), lesson(11, 1, 1)] },
  ],
};

describe('nextLesson', () => {
  it('starts at the first lesson of the first module', () => {
    expect(nextLesson(course, { status: 'not_started', completed_lessons: 0 })?.id).toBe(11);
    expect(nextLesson(course, undefined)?.id).toBe(11);
  });

  it('continues after the lessons completed, in order', () => {
    expect(nextLesson(course, { status: 'in_progress', completed_lessons: 2 })?.id).toBe(21);
  });

  it('prefers what this browser saw marked', () => {
    const progress = { status: 'in_progress' as const, completed_lessons: 1 };
    // Lesson 12 was marked done, lesson 11 not: 11 is next.
    expect(nextLesson(course, progress, { 12: true, 11: false })?.id).toBe(11);
    expect(isLessonDone([lesson(11, 1, 1)], 11, progress, {})).toBe(true);
    expect(isLessonDone([lesson(11, 1, 1)], 11, progress, { 11: false })).toBe(false);
  });

  it('reopens a completed course at its start, and has nothing for an empty one', () => {
    expect(nextLesson(course, { status: 'completed', completed_lessons: 3 })?.id).toBe(11);
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
