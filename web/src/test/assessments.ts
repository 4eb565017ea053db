import type { Assessment, Attempt } from '../api/assessments';

/** A single-choice question (id 3, options 1 and 2, 2 correct) and a text one (id 6). */
export function makeAssessment(overrides: Partial<Assessment> = {}, hidden = true): Assessment {
  return {
    questions: [
      {
        id: 3,
        kind: 'single',
        prompt: 'Which extinguisher?',
        points: 2,
        options: [
          { id: 1, text: 'Water', correct: hidden ? null : false },
          { id: 2, text: 'CO2', correct: hidden ? null : true },
        ],
      },
      { id: 6, kind: 'text', prompt: 'Where do we meet?', points: 2, options: [] },
    ],
    pass_mark: 50,
    max_attempts: 2,
    time_limit_minutes: null,
    total_points: 4,
    ...overrides,
  };
}

export function makeAttempt(overrides: Partial<Attempt> = {}): Attempt {
  return {
    id: 5,
    lesson_id: 301,
    course_id: 1,
    trainee_id: 7,
    trainee_name: 'Tia Trainee',
    number: 1,
    score: 0,
    passed: false,
    graded: false,
    expired: false,
    started_at: '2026-05-01T09:00:00+00:00',
    deadline: null,
    submitted_at: null,
    graded_at: null,
    assessment: makeAssessment(),
    answers: [],
    ...overrides,
  };
}
