import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeUserSkill } from '../test/skills';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { UserDetailPage } from './UserDetailPage';

describe('UserDetailPage', () => {
  it('shows the user and their skills, with the award form for an admin', async () => {
    signInAs(makeUser());
    const pia = makeUser({ id: 4, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });
    mockFetch([
      { path: '/users/4', body: pia },
      { path: '/users/4/skills', body: [makeUserSkill({ source: 'assessment', level: 5 })] },
      { path: '/assignments', body: [] },
      { path: '/skills', body: [] },
    ]);
    renderRoutes([{ path: '/users/:id', element: <UserDetailPage /> }], '/users/4');
    expect(await screen.findByRole('heading', { level: 1, name: 'Pia Doe' })).toBeInTheDocument();
    const table = await screen.findByTestId('user-skills');
    expect(within(table).getByText('5 / 5')).toBeInTheDocument();
    expect(within(table).getByText('A passed assessment')).toBeInTheDocument();
    expect(screen.getByRole('form', { name: 'Award a skill' })).toBeInTheDocument();
  });
});
