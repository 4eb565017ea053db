import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeUser, renderRoutes, signInAs } from '../test/utils';
import { NotFoundPage } from './NotFoundPage';

describe('NotFoundPage', () => {
  it('says there is nothing at the address and leads back to the start page', async () => {
    signInAs(makeUser());
    renderRoutes(
      [
        { path: '/', element: <h1>Start page</h1> },
        { path: '*', element: <NotFoundPage /> },
      ],
      '/no/such/page',
    );
    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('link', { name: 'Go to your start page' }));
    expect(await screen.findByRole('heading', { name: 'Start page' })).toBeInTheDocument();
  });
});
