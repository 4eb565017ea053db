import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { makeAssessment } from '../test/assessments';
import { makeLesson } from '../test/courses';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { LessonForm } from './LessonForm';

const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });

describe('AssessmentEditor (in the lesson form)', () => {
  it('builds an assessment with choices, a written question, points, pass mark, attempts and a time limit', async () => {
    signInAs(tom);
    const { calls } = mockFetch([
      {
        method: 'POST',
        path: '/modules/10/lessons',
        respond: ({ body }) => ({
          status: 201,
          body: makeLesson({ id: 301, module_id: 10, kind: 'assessment', ...(body as object) }),
        }),
      },
    ]);
    renderPage(<LessonForm moduleId={10} onSaved={vi.fn()} onClose={vi.fn()} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Lesson title'), 'Fire quiz');
    await user.selectOptions(screen.getByLabelText('Kind'), 'assessment');
    const first = screen.getByRole('listitem', { name: 'Question 1' });
    await user.type(within(first).getByLabelText('Question 1'), 'Which extinguisher?');
    await user.clear(within(first).getByLabelText('Question 1 points'));
    await user.type(within(first).getByLabelText('Question 1 points'), '2');
    await user.type(within(first).getByLabelText('Option 1 of question 1'), 'Water');
    await user.type(within(first).getByLabelText('Option 2 of question 1'), 'CO2');
    // One answer: ticking CO2 unticks Water.
    await user.click(within(first).getByRole('checkbox', { name: /Correct \(option 2 of question 1\)/ }));
    expect(within(first).getByRole('checkbox', { name: /Correct \(option 1 of question 1\)/ })).not.toBeChecked();
    await user.click(screen.getByRole('button', { name: 'Add question: written answer' }));
    const second = screen.getByRole('listitem', { name: 'Question 2' });
    await user.type(within(second).getByLabelText('Question 2'), 'Where do we meet?');
    await user.clear(screen.getByLabelText('Pass mark (%)'));
    await user.type(screen.getByLabelText('Pass mark (%)'), '60');
    await user.clear(screen.getByLabelText('Attempts allowed'));
    await user.type(screen.getByLabelText('Attempts allowed'), '2');
    await user.type(screen.getByLabelText('Time limit (minutes)'), '15');
    await user.click(screen.getByRole('button', { name: 'Add lesson' }));

    await vi.waitFor(() => expect(calls.some((c) => c.method === 'POST')).toBe(true));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      title: 'Fire quiz',
      kind: 'assessment',
      duration_minutes: null,
      assessment: {
        pass_mark: 60,
        max_attempts: 2,
        time_limit_minutes: 15,
        questions: [
          {
            kind: 'single',
            prompt: 'Which extinguisher?',
            points: 2,
            options: [
              { text: 'Water', correct: false },
              { text: 'CO2', correct: true },
            ],
          },
          { kind: 'text', prompt: 'Where do we meet?', points: 1, options: [] },
        ],
      },
    });
  });

  it('shows the server’s 422 beside the question it names', async () => {
    signInAs(tom);
    mockFetch([
      {
        method: 'POST',
        path: '/modules/10/lessons',
        status: 422,
        body: {
          detail: 'Invalid assessment',
          errors: [
            { field: 'questions[0].options', message: 'A single-choice question needs exactly one correct option' },
          ],
        },
      },
    ]);
    renderPage(<LessonForm moduleId={10} onSaved={vi.fn()} onClose={vi.fn()} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Lesson title'), 'Quiz');
    await user.selectOptions(screen.getByLabelText('Kind'), 'assessment');
    await user.click(screen.getByRole('button', { name: 'Add lesson' }));
    const first = screen.getByRole('listitem', { name: 'Question 1' });
    expect(
      await within(first).findByText('A single-choice question needs exactly one correct option'),
    ).toBeInTheDocument();
  });

  it('opens a saved assessment with its correct answers and shows how each question fared', async () => {
    signInAs(tom);
    mockFetch([
      {
        path: '/lessons/301/statistics',
        body: [
          { question_id: 3, attempts: 4, correct_share: 0.75 },
          { question_id: 6, attempts: 2, correct_share: 0.5 },
        ],
      },
    ]);
    const quiz = makeLesson({ id: 301, module_id: 10, kind: 'assessment', assessment: makeAssessment({}, false) });
    renderPage(<LessonForm moduleId={10} lesson={quiz} onSaved={vi.fn()} onClose={vi.fn()} />);
    const first = screen.getByRole('listitem', { name: 'Question 1' });
    expect(within(first).getByRole('checkbox', { name: /Correct \(option 2 of question 1\)/ })).toBeChecked();
    const table = await screen.findByTestId('assessment-statistics');
    expect(within(table).getByRole('row', { name: /Which extinguisher\? 4 75%/ })).toBeInTheDocument();
    expect(within(table).getByRole('row', { name: /Where do we meet\? 2 50%/ })).toBeInTheDocument();
  });
});
