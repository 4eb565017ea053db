import { QueryClient } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ActivityItem } from '../api/achievements';
import { App } from '../app/App';
import { FakeSocket } from '../test/fakes';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { ProfilePage } from './ProfilePage';
import { UserDetailPage } from './UserDetailPage';

const pia = makeUser({ id: 7, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });
const admin = makeUser({ id: 1 });

const FIRST = {
  kind: 'first_course_completed',
  title: 'First course completed',
  awarded_at: '2026-05-03T10:00:00+00:00',
};

function item(n: number, overrides: Partial<ActivityItem> = {}): ActivityItem {
  return {
    at: `2026-05-0${(n % 9) + 1}T09:00:00+00:00`,
    kind: 'sign_in',
    summary: `Signed in #${n}`,
    target_type: 'user',
    target_id: 7,
    ...overrides,
  };
}

function region(name: string) {
  return within(screen.getByRole('region', { name }));
}

describe('the profile page', () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal('WebSocket', FakeSocket);
  });

  it('shows the caller their achievements and their activity, newest first', async () => {
    signInAs(pia);
    const { calls } = mockFetch([
      { path: '/users/7', body: pia },
      { path: '/users/7/achievements', body: [FIRST] },
      {
        path: '/users/7/activity',
        body: [
          item(1, { kind: 'achievement', summary: 'Earned the achievement “First course completed”' }),
          item(2, { kind: 'lesson_completed', summary: 'Completed a lesson', target_type: 'lesson' }),
        ],
      },
    ]);
    renderRoutes([{ path: '/profile', element: <ProfilePage /> }], '/profile');
    await waitFor(() => expect(region('Achievements').getByText('First course completed')).toBeInTheDocument());
    const timeline = await waitFor(() => region('Activity').getAllByRole('listitem'));
    expect(timeline.map((li) => li.textContent)).toEqual([
      expect.stringContaining('Earned the achievement “First course completed”'),
      expect.stringContaining('Completed a lesson'),
    ]);
    const page = calls.find((c) => c.url.pathname === '/users/7/activity');
    expect(page?.url.searchParams.get('skip')).toBe('0');
    expect(page?.url.searchParams.get('limit')).toBe('21');
  });

  it('says when there is nothing yet, and pages through a long timeline', async () => {
    signInAs(pia);
    const { calls } = mockFetch([
      { path: '/users/7', body: pia },
      { path: '/users/7/achievements', body: [] },
      {
        path: '/users/7/activity',
        respond: ({ url }) => {
          const skip = Number(url.searchParams.get('skip'));
          const all = Array.from({ length: 25 }, (_, n) => item(n));
          return { body: all.slice(skip, skip + Number(url.searchParams.get('limit'))) };
        },
      },
    ]);
    renderRoutes([{ path: '/profile', element: <ProfilePage /> }], '/profile');
    await waitFor(() => expect(region('Achievements').getByText(/No achievements yet/)).toBeInTheDocument());
    await waitFor(() => expect(region('Activity').getAllByRole('listitem')).toHaveLength(20));
    const user = userEvent.setup();
    await user.click(region('Activity').getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(region('Activity').getAllByRole('listitem')).toHaveLength(5));
    expect(region('Activity').getByText(/Signed in #24/)).toBeInTheDocument();
    expect(region('Activity').getByRole('button', { name: 'Next' })).toBeDisabled();
    expect(calls.some((c) => c.url.pathname === '/users/7/activity' && c.url.searchParams.get('skip') === '20')).toBe(
      true,
    );
  });

  it('toasts an achievement when achievement_awarded arrives, and lists it', async () => {
    signInAs(pia);
    let held: (typeof FIRST)[] = [];
    mockFetch([
      { path: '/users/7', body: pia },
      { path: '/users/7/achievements', respond: () => ({ body: held }) },
      { path: '/users/7/activity', body: [] },
      { path: '/notifications', body: [] },
    ]);
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const router = createMemoryRouter([{ path: '/profile', element: <ProfilePage /> }], {
      initialEntries: ['/profile'],
    });
    render(
      <App client={client}>
        <RouterProvider router={router} />
      </App>,
    );
    await waitFor(() => expect(region('Achievements').getByText(/No achievements yet/)).toBeInTheDocument());
    const socket = FakeSocket.all[0];
    socket.serverSends({ type: 'ready', data: { user_id: 7, last_id: 0 } });
    held = [FIRST];
    socket.serverSends({
      type: 'achievement_awarded',
      id: 1,
      data: { user_id: 7, kind: FIRST.kind, title: FIRST.title, awarded_at: FIRST.awarded_at },
    });
    expect(await screen.findByText('Achievement unlocked')).toBeInTheDocument();
    await waitFor(() => expect(region('Achievements').getByText('First course completed')).toBeInTheDocument());
  });
});

describe('the user detail page', () => {
  it("shows an admin a user's account, achievements and activity", async () => {
    signInAs(admin);
    mockFetch([
      { path: '/users/7', body: pia },
      { path: '/users/7/achievements', body: [FIRST] },
      { path: '/users/7/activity', body: [item(1, { kind: 'attendance', summary: 'Marked present at a session' })] },
    ]);
    renderRoutes([{ path: '/users/:id', element: <UserDetailPage /> }], '/users/7');
    expect(await screen.findByRole('heading', { name: 'Pia Doe' })).toBeInTheDocument();
    await waitFor(() => expect(region('Account').getByText('pia')).toBeInTheDocument());
    await waitFor(() => expect(region('Achievements').getByText('First course completed')).toBeInTheDocument());
    await waitFor(() => expect(region('Activity').getByText(/Marked present at a session/)).toBeInTheDocument());
  });

  it('says so when the user is not there', async () => {
    signInAs(admin);
    mockFetch([{ path: '/users/99', status: 404, body: { detail: 'User not found' } }]);
    renderRoutes([{ path: '/users/:id', element: <UserDetailPage /> }], '/users/99');
    expect(await screen.findByText(/User not found/)).toBeInTheDocument();
  });
});
