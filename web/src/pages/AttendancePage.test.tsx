import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AttendanceListing, TrainingSession } from '../api/types';
import { makeUser, mockFetch, NO_BOOKING, renderRoutes, signInAs } from '../test/utils';
import { AttendancePage } from './AttendancePage';

const trainer = makeUser({ id: 2, username: 'tom', role: 'trainer' });
const a = makeUser({ id: 5, username: 'ann', role: 'trainee', first_name: 'Ann', last_name: 'A' });
const b = makeUser({ id: 6, username: 'bob', role: 'trainee', first_name: 'Bob', last_name: 'B' });
const session: TrainingSession = {
  id: 9,
  title: 'Knots',
  description: null,
  trainer_id: 2,
  trainees: [a, b],
  scheduled_date: '2026-05-01T09:00:00+00:00',
  duration_minutes: 60,
  status: 'scheduled',
  class_link: null,
  session_link: 'abc',
  created_at: '2026-04-01T09:00:00+00:00',
  updated_at: '2026-04-01T09:00:00+00:00',
  ...NO_BOOKING,
};

describe('AttendancePage', () => {
  it('marks everyone present, then lets the trainer adjust one trainee', async () => {
    signInAs(trainer);
    const marks = new Map<number, boolean>();
    const { calls } = mockFetch([
      { path: '/sessions/9', body: session },
      {
        path: '/attendance/session/9',
        respond: () => ({
          body: [...marks].map(
            ([id, present]): AttendanceListing => ({
              id,
              session,
              trainee: id === 5 ? a : b,
              present,
              marked_at: '2026-05-01T09:05:00+00:00',
            }),
          ),
        }),
      },
      {
        method: 'POST',
        path: '/attendance',
        respond: ({ body }) => {
          const { trainee_id, present } = body as { trainee_id: number; present: boolean };
          marks.set(trainee_id, present);
          return {
            status: 201,
            body: { id: trainee_id, session_id: 9, trainee_id, present, marked_at: '2026-05-01T09:05:00+00:00' },
          };
        },
      },
    ]);
    renderRoutes([{ path: '/sessions/:id/attendance', element: <AttendancePage /> }], '/sessions/9/attendance');
    const user = userEvent.setup();
    expect(await screen.findByTestId('attendance-summary')).toHaveTextContent('0 of 2 present');
    expect(screen.getAllByText('Not marked')).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Mark all present' }));
    await waitFor(() => expect(screen.getByTestId('attendance-summary')).toHaveTextContent('2 of 2 present'));
    await user.click(screen.getByLabelText('Bob B present'));
    await waitFor(() => expect(screen.getByTestId('attendance-summary')).toHaveTextContent('1 of 2 present'));
    const posts = calls.filter((c) => c.method === 'POST').map((c) => c.body);
    expect(posts).toEqual([
      { session_id: 9, trainee_id: 5, present: true },
      { session_id: 9, trainee_id: 6, present: true },
      { session_id: 9, trainee_id: 6, present: false },
    ]);
  });
});
