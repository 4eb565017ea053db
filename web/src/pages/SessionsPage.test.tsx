import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TrainingSession } from '../api/types';
import { makeUser, mockFetch, NO_BOOKING, renderPage, signInAs } from '../test/utils';
import { SessionsPage } from './SessionsPage';

const trainer = makeUser({ id: 2, username: 'tom', role: 'trainer', first_name: 'Tom', last_name: 'Trainer' });

function session(id: number, title: string, start: string): TrainingSession {
  return {
    id,
    title,
    description: null,
    trainer_id: trainer.id,
    trainees: [],
    scheduled_date: start,
    duration_minutes: 60,
    status: 'scheduled',
    class_link: null,
    session_link: `link-${id}-xxxxxxxxxxxxxxxx`,
    created_at: '2026-01-01T09:00:00+00:00',
    updated_at: '2026-01-01T09:00:00+00:00',
    ...NO_BOOKING,
  };
}

describe('SessionsPage for a trainer', () => {
  it('lists upcoming sessions first, soonest first, then past ones, latest first', async () => {
    signInAs(trainer);
    const upcoming = [
      session(3, 'Next week', '2099-05-11T09:00:00+00:00'),
      session(4, 'Next month', '2099-06-01T09:00:00+00:00'),
    ];
    // The server answers the past with order=desc: latest first.
    const past = [
      session(2, 'Last week', '2020-05-01T09:00:00+00:00'),
      session(1, 'Long ago', '2019-01-01T09:00:00+00:00'),
    ];
    const { calls } = mockFetch([
      { path: '/users', body: [trainer] },
      {
        path: '/sessions',
        respond: ({ url }) => ({ body: url.searchParams.get('order') === 'desc' ? past : upcoming }),
      },
    ]);
    renderPage(<SessionsPage />);
    expect(await screen.findByRole('heading', { level: 1, name: 'My sessions' })).toBeInTheDocument();
    const soon = within(await screen.findByTestId('upcoming-sessions'));
    expect(await soon.findByRole('link', { name: 'Next week' })).toBeInTheDocument();
    const before = within(screen.getByTestId('past-sessions'));
    expect(await before.findByRole('link', { name: 'Last week' })).toBeInTheDocument();
    const titles = screen.getAllByRole('link').map((l) => l.textContent);
    expect(titles.filter((t) => t !== 'New session')).toEqual(['Next week', 'Next month', 'Last week', 'Long ago']);
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual(['Upcoming', 'Past']);

    const asked = calls
      .filter((c) => c.url.pathname === '/sessions')
      .map((c) => Object.fromEntries(c.url.searchParams));
    const soonQuery = asked.find((q) => q.from);
    const pastQuery = asked.find((q) => q.order === 'desc');
    expect(soonQuery?.to).toBeUndefined();
    expect(pastQuery?.to).toBe(soonQuery?.from);
  });
});
