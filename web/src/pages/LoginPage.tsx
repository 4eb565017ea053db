import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { api, unwrap } from '../api/client';
import { ApiError, describeError, NETWORK_ERROR_STATUS } from '../api/errors';
import { homeFor } from '../app/guards';
import { auth, useAuth } from '../auth/session';
import { Field, fieldErrors } from '../ui/forms';

export function loginErrorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Wrong username or password.';
    if (error.status === NETWORK_ERROR_STATUS)
      return 'Cannot reach the server. It may be down, or your connection is offline. Please try again.';
    if (error.status >= 500) return 'The server is not available right now. Please try again in a moment.';
  }
  return describeError(error);
}

/** The identity providers to offer a button for; none when the server names none or cannot say. */
function useProviders() {
  const answer = useQuery({
    queryKey: ['auth', 'providers'],
    queryFn: () => unwrap(api.GET('/auth/providers')),
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
  return answer.data ?? [];
}

export function LoginPage() {
  const { token, user, notice, mustChangePassword } = useAuth();
  const providers = useProviders();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Sign in · TMS';
  }, []);

  if (token && user) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={mustChangePassword ? '/change-password' : (from ?? homeFor(user.role))} replace />;
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const answer = await unwrap(api.POST('/auth/login', { body: { username: username.trim(), password } }));
      // Rendering again with the new sign-in redirects to the right page.
      auth.signIn(answer);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <div className="login-screen">
      <main className="login-card" id="main">
        <h1>Training Management System</h1>
        <p className="muted">Sign in to continue.</p>
        {notice ? (
          <div className="alert alert-info" role="status">
            {notice}
          </div>
        ) : null}
        <form onSubmit={submit} noValidate>
          <Field label="Username or email" errors={fieldErrors(error, 'username')}>
            {(props) => (
              <input
                {...props}
                name="username"
                autoComplete="username"
                required
                value={username}
                onChange={(e) => setUsername(e.target.value)}
              />
            )}
          </Field>
          <Field label="Password" errors={fieldErrors(error, 'password')}>
            {(props) => (
              <input
                {...props}
                name="password"
                type="password"
                autoComplete="current-password"
                required
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          {error ? (
            <div className="alert alert-error" role="alert">
              {loginErrorMessage(error)}
            </div>
          ) : null}
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={busy || !username || !password}
          >
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        {providers.length > 0 ? (
          <div className="stack login-providers">
            <p className="muted">or</p>
            {providers.map((provider) => (
              // A full page load: the server sends the browser on to the provider.
              <a key={provider.id} className="button button-block" href={provider.login_url}>
                Sign in with {provider.name}
              </a>
            ))}
          </div>
        ) : null}
        <p className="login-links">
          <Link to="/forgot-password">Forgot password?</Link>
        </p>
      </main>
    </div>
  );
}
