import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Attempt } from '../api/assessments';
import { makeAssessment, makeAttempt } from '../test/assessments';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { GradingQueuePage } from './GradingQueuePage';

const tom = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });

describe('GradingQueuePage', () => {
  it('grades the written answers that wait, and the attempt leaves the queue', async () => {
    signInAs(tom);
    const waiting = makeAttempt({
      score: 50,
      submitted_at: '2026-05-01T09:05:00+00:00',
      assessment: makeAssessment({}, false),
      answers: [
        { question_id: 3, option_ids: [2], text: null, points: 2 },
        { question_id: 6, option_ids: [], text: 'By the gate', points: null },
      ],
    });
    let queue: Attempt[] = [waiting];
    const { calls } = mockFetch([
      { path: '/attempts', respond: () => ({ body: queue }) },
      {
        method: 'POST',
        path: '/attempts/5/grade',
        respond: () => {
          queue = [];
          return { body: { ...waiting, graded: true, passed: true, score: 87.5 } };
        },
      },
    ]);
    renderPage(<GradingQueuePage />);
    const user = userEvent.setup();
    const form = await screen.findByRole('form', { name: 'Attempt 1 by Tia Trainee' });
    expect(within(form).getByTestId('written-answer')).toHaveTextContent('By the gate');
    // Only the written answer waits: no field for the choice.
    expect(within(form).getAllByRole('spinbutton')).toHaveLength(1);
    await user.type(within(form).getByLabelText('Points for “Where do we meet?” (0 to 2)'), '1.5');
    await user.click(within(form).getByRole('button', { name: 'Grade' }));
    expect(await screen.findByText('Nothing waits to be graded.')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'GET')?.url.search).toBe('?graded=false');
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ points: { '6': 1.5 } });
  });

  it('shows a 422 beside the points it names', async () => {
    signInAs(tom);
    mockFetch([
      {
        path: '/attempts',
        body: [
          makeAttempt({
            submitted_at: '2026-05-01T09:05:00+00:00',
            answers: [{ question_id: 6, option_ids: [], text: 'x', points: null }],
          }),
        ],
      },
      {
        method: 'POST',
        path: '/attempts/5/grade',
        status: 422,
        body: {
          detail: 'Invalid grading',
          errors: [{ field: 'points.6', message: 'Points for question 6 must be 0-2' }],
        },
      },
    ]);
    renderPage(<GradingQueuePage />);
    const user = userEvent.setup();
    const field = await screen.findByLabelText('Points for “Where do we meet?” (0 to 2)');
    await user.type(field, '5');
    await user.click(screen.getByRole('button', { name: 'Grade' }));
    expect(await screen.findByText('Points for question 6 must be 0-2')).toBeInTheDocument();
  });
});
