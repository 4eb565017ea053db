import type { Course, CourseEnrolment, Lesson, Module, TraineeCourse } from '../api/courses';
import type { User } from '../api/types';

export function makeLesson(overrides: Partial<Lesson> & Pick<Lesson, 'id' | 'module_id'>): Lesson {
  return {
    title: `Lesson ${overrides.id}`,
    kind: 'text',
    body: 'Hello',
    body_html: '<p>Hello</p>',
    video_url: null,
    file: null,
    session_id: null,
    session_ids: [],
    duration_minutes: 10,
    position: 1,
    ...overrides,
  };
}

export function makeModule(overrides: Partial<Module> & Pick<Module, 'id'>): Module {
  return { title: `Module ${overrides.id}`, position: 1, lessons: [], ...overrides };
}

export function makeCourse(overrides: Partial<Course> = {}): Course {
  return {
    id: 1,
    code: 'CRS-0001',
    title: 'Working at height',
    description: 'Ladders, harnesses and rescue.',
    category: 'Safety',
    difficulty: 'beginner',
    estimated_minutes: 90,
    certificate_valid_months: null,
    status: 'draft',
    owner_id: 2,
    modules: [],
    created_at: '2026-05-01T09:00:00+00:00',
    updated_at: '2026-05-01T09:00:00+00:00',
    published_at: null,
    ...overrides,
  };
}

export function makeEnrolment(trainee: User, overrides: Partial<CourseEnrolment> = {}): CourseEnrolment {
  return {
    course_id: 1,
    trainee,
    batch_id: null,
    due_date: null,
    assigned_at: '2026-05-02T09:00:00+00:00',
    status: 'not_started',
    completed_lessons: 0,
    total_lessons: 4,
    progress_percentage: 0,
    completed_at: null,
    ...overrides,
  };
}

/** One of a trainee's courses, as `GET /progress/trainee/{id}/courses` lists it. */
export function makeTraineeCourse(trainee: User, overrides: Partial<TraineeCourse> = {}): TraineeCourse {
  return {
    ...makeEnrolment(trainee),
    completed_lesson_ids: [],
    course: { id: 1, code: 'CRS-0001', title: 'Working at height' },
    ...overrides,
  };
}
