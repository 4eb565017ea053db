import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeUser, mockFetch, renderRoutes, signInAs } from '../test/utils';
import { JoinPage } from './JoinPage';

const trainee = makeUser({ id: 3, username: 'tia', role: 'trainee' });
const routes = [{ path: '/join/:link', element: <JoinPage /> }];

describe('JoinPage', () => {
  it("joins through the session's link and opens the class in a new tab", async () => {
    signInAs(trainee);
    const { calls } = mockFetch([
      {
        path: /^\/join\//,
        body: {
          message: 'You have joined “First aid”.',
          session: { id: 5, title: 'First aid', class_link: 'https://meet.example.test/first-aid' },
          redirect_to: null,
        },
      },
    ]);
    renderRoutes(routes, '/join/abc%2Fdef');
    expect(await screen.findByText('You have joined “First aid”.')).toHaveAttribute('role', 'status');
    expect(screen.getByRole('heading', { name: 'First aid' })).toBeInTheDocument();
    const open = screen.getByRole('link', { name: 'Open the class (new tab)' });
    expect(open).toHaveAttribute('href', 'https://meet.example.test/first-aid');
    expect(open).toHaveAttribute('target', '_blank');
    expect(open).toHaveAttribute('rel', expect.stringContaining('noopener'));
    // The link is sent as one path segment, encoded.
    expect(calls.map((c) => c.url.pathname)).toEqual(['/join/abc%2Fdef']);
  });

  it('says why a link does not work, and offers no class to open', async () => {
    signInAs(trainee);
    mockFetch([{ path: /^\/join\//, status: 404, body: { detail: 'No session has this link.' } }]);
    renderRoutes(routes, '/join/nope');
    expect(await screen.findByRole('alert')).toHaveTextContent('No session has this link.');
    expect(screen.queryByRole('link', { name: /Open the class/ })).not.toBeInTheDocument();
  });
});
