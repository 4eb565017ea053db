import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockFetch, renderRoutes } from '../test/utils';
import { ForgotPasswordPage } from './ForgotPasswordPage';
import { LoginPage } from './LoginPage';

const ANSWER = 'If an account uses that address, a link to set a new password is on its way to it';

function renderForgot(path = '/forgot-password') {
  return renderRoutes(
    [
      { path: '/login', element: <LoginPage /> },
      { path: '/forgot-password', element: <ForgotPasswordPage /> },
    ],
    path,
  );
}

describe('ForgotPasswordPage', () => {
  it('is reached from the sign-in page', async () => {
    renderForgot('/login');
    await userEvent.setup().click(screen.getByRole('link', { name: 'Forgot password?' }));
    expect(await screen.findByRole('heading', { name: 'Forgot your password?' })).toBeInTheDocument();
  });

  it('sends the address and shows the same answer whatever it is', async () => {
    const { calls } = mockFetch([
      { method: 'POST', path: '/auth/forgot-password', status: 202, body: { message: ANSWER } },
    ]);
    renderForgot();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), ' pat@example.org ');
    await user.click(screen.getByRole('button', { name: 'Send me a link' }));
    expect(await screen.findByRole('status')).toHaveTextContent(ANSWER);
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ email: 'pat@example.org' });
    expect(screen.getByRole('link', { name: 'Back to sign in' })).toBeInTheDocument();
  });

  it('names a bad address at its field', async () => {
    mockFetch([
      {
        method: 'POST',
        path: '/auth/forgot-password',
        status: 422,
        body: {
          detail: 'Enter a valid email address',
          errors: [{ field: 'email', message: 'Enter a valid email address' }],
        },
      },
    ]);
    renderForgot();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'pat');
    await user.click(screen.getByRole('button', { name: 'Send me a link' }));
    await screen.findAllByText('Enter a valid email address');
    expect(screen.getByLabelText('Email')).toHaveAccessibleDescription(/Enter a valid email address/);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });

  it('says how long to wait when throttled', async () => {
    mockFetch([
      {
        method: 'POST',
        path: '/auth/forgot-password',
        status: 429,
        body: { detail: 'Too many requests for a new password: try again later' },
        headers: { 'Retry-After': '600' },
      },
    ]);
    renderForgot();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'pat@example.org');
    await user.click(screen.getByRole('button', { name: 'Send me a link' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Please wait 10 minutes and try again.');
  });
});
