import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Attempt } from '../api/assessments';
import type { TraineeCourses } from '../api/courses';
import { makeAssessment, makeAttempt } from '../test/assessments';
import { makeCourse, makeLesson, makeModule, makeTraineeCourse } from '../test/courses';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { LessonViewerPage } from './LessonViewerPage';

const tia = makeUser({ id: 7, username: 'tia', role: 'trainee', first_name: 'Tia', last_name: 'Trainee' });
const quiz = makeLesson({
  id: 301,
  module_id: 10,
  title: 'Fire quiz',
  kind: 'assessment',
  body: null,
  body_html: null,
  assessment: makeAssessment({ time_limit_minutes: 10 }),
});
const course = makeCourse({ status: 'published', modules: [makeModule({ id: 10, lessons: [quiz] })] });

function mine(done: number[]): TraineeCourses {
  return {
    courses: [
      makeTraineeCourse(tia, {
        total_lessons: 1,
        completed_lessons: done.length,
        completed_lesson_ids: done,
        status: done.length ? 'completed' : 'not_started',
        course: { id: 1, code: 'CRS-0001', title: course.title },
      }),
    ],
    statistics: { total_enrolled: 1, completed: 0, in_progress: 0, not_started: 1, average_progress: 0 },
  };
}

function renderQuiz() {
  return renderRoutes(
    [{ path: '/learning/:courseId/lessons/:lessonId', element: <LessonViewerPage /> }],
    '/learning/1/lessons/301',
  );
}

describe('AssessmentPlayer', () => {
  it('takes an attempt in the server’s order with a countdown, then shows the score waiting for grading', async () => {
    signInAs(tia);
    const deadline = new Date(Date.now() + 10 * 60_000).toISOString();
    // The server's order for this attempt: CO2 before Water.
    const shuffled = makeAssessment({ time_limit_minutes: 10 });
    shuffled.questions[0].options.reverse();
    const open = makeAttempt({ deadline, assessment: shuffled });
    let history: Attempt[] = [];
    const { calls } = mockFetch([
      { path: '/courses/1', body: course },
      { path: '/progress/trainee/7/courses', body: mine([]) },
      { path: '/lessons/301/attempts', respond: () => ({ body: history }) },
      { method: 'POST', path: '/lessons/301/attempts/start', body: open },
      {
        method: 'POST',
        path: '/lessons/301/attempts',
        respond: () => {
          const submitted = makeAttempt({ score: 50, submitted_at: deadline });
          history = [submitted];
          return { status: 201, body: submitted };
        },
      },
    ]);
    renderQuiz();
    const user = userEvent.setup();
    expect(await screen.findByText(/2 questions · 4 points · pass mark 50%/)).toBeInTheDocument();
    expect(screen.getByText('0 of 2 attempts used')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Start the assessment' }));
    expect(await screen.findByRole('timer')).toHaveTextContent(/Time left (10:00|9:\d\d)/);
    const form = screen.getByRole('form', { name: 'Your attempt' });
    const options = within(form).getAllByRole('radio');
    expect(options.map((o) => o.closest('label')?.textContent?.trim())).toEqual(['CO2', 'Water']);
    await user.click(options[0]);
    await user.type(within(form).getByLabelText('Answer to question 2'), 'By the gate');
    await user.click(within(form).getByRole('button', { name: 'Submit answers' }));
    expect(await screen.findByTestId('attempt-result')).toHaveTextContent(
      'Attempt 1: Waiting for a trainer to grade the written answers (50% so far)',
    );
    expect(calls.find((c) => c.method === 'POST' && c.url.pathname === '/lessons/301/attempts')?.body).toEqual({
      answers: [
        { question_id: 3, option_ids: [2] },
        { question_id: 6, text: 'By the gate' },
      ],
    });
    expect(await screen.findByText('1 of 2 attempts used')).toBeInTheDocument();
    expect(screen.queryByRole('timer')).not.toBeInTheDocument();
  });

  it('shows a graded attempt’s results with the correct answers and the lesson completed', async () => {
    signInAs(tia);
    const graded = makeAttempt({
      score: 75,
      passed: true,
      graded: true,
      submitted_at: '2026-05-01T09:05:00+00:00',
      assessment: makeAssessment({}, false),
      answers: [
        { question_id: 3, option_ids: [2], text: null, points: 2 },
        { question_id: 6, option_ids: [], text: 'By the gate', points: 1 },
      ],
    });
    mockFetch([
      { path: '/courses/1', body: course },
      { path: '/progress/trainee/7/courses', body: mine([301]) },
      { path: '/lessons/301/attempts', body: [graded] },
    ]);
    renderQuiz();
    const user = userEvent.setup();
    expect(await screen.findByTestId('past-attempt')).toHaveTextContent('Attempt 1: 75% · Passed');
    expect(await screen.findByTestId('lesson-done')).toHaveTextContent('Completed');
    await user.click(screen.getByText('Results of attempt 1'));
    expect(screen.getByText(/CO2 \(correct\)/)).toBeInTheDocument();
    expect(screen.getByText('1 of 2 points')).toBeInTheDocument();
  });
});
