import { useEffect, useRef, useState } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { homeFor } from '../app/guards';
import { auth, markProviderSignIn, useAuth } from '../auth/session';

/** The one-time code the server's single sign-on callback put in the fragment (`#code=...`). */
export function codeFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('code') ?? '';
}

function failure(error: unknown): string {
  if (error instanceof ApiError && error.status === 401)
    return 'This sign-in link was used already or has expired. Please sign in again.';
  if (error instanceof ApiError) return error.message;
  return 'The sign-in could not be finished. Please try again.';
}

/**
 * Where the identity provider's sign-in ends: the page trades the code from its address for
 * a sign-in (once), then goes on as a password sign-in does.
 */
export function SsoPage() {
  const location = useLocation();
  const { token, user, mustChangePassword } = useAuth();
  const [code] = useState(() => codeFromHash(location.hash));
  const [error, setError] = useState<string | null>(
    code ? null : 'This page needs the sign-in code. Please sign in again.',
  );
  const started = useRef(false);

  useEffect(() => {
    document.title = 'Signing in · TMS';
    // The code lives in memory only: the address bar and history lose it at once.
    if (window.location.hash) window.history.replaceState(window.history.state, '', window.location.pathname);
    if (!code || started.current) return;
    started.current = true;
    unwrap(api.POST('/auth/oidc/exchange', { body: { code } }))
      .then((answer) => {
        markProviderSignIn();
        auth.signIn(answer);
      })
      .catch((caught: unknown) => setError(failure(caught)));
  }, [code]);

  if (token && user) {
    return <Navigate to={mustChangePassword ? '/change-password' : homeFor(user.role)} replace />;
  }
  return (
    <div className="login-screen">
      <main className="login-card" id="main">
        <h1>Signing in</h1>
        {error ? (
          <div className="stack">
            <div className="alert alert-error" role="alert">
              {error}
            </div>
            <Link to="/login" className="button button-primary button-block">
              Back to sign-in
            </Link>
          </div>
        ) : (
          <p className="muted" role="status">
            Finishing your sign-in…
          </p>
        )}
      </main>
    </div>
  );
}
