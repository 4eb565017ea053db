import { type FormEvent, useEffect, useState } from 'react';
import { Link, useLocation } from 'react-router';
import { api, unwrap } from '../api/client';
import { Field, FormError, fieldErrors } from '../ui/forms';

/** The token of an invitation or reset link, from the address's fragment (`#token=...`): a
 * fragment never reaches a server, its logs or a Referer. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}

/** The page a mailed link opens: choose a password with the link's one-time token. */
export function SetPasswordPage() {
  const location = useLocation();
  const [token] = useState(() => tokenFromHash(location.hash));
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Choose your password · TMS';
    // The token is kept in memory only: the address bar, history and bookmarks lose it.
    if (window.location.hash) window.history.replaceState(window.history.state, '', window.location.pathname);
  }, []);

  const mismatch = repeat !== '' && repeat !== password;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setError(null);
    setBusy(true);
    try {
      const answer = await unwrap(api.POST('/auth/set-password', { body: { token, new_password: password } }));
      setDone(answer.message);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-screen">
      <main className="login-card" id="main">
        <h1>Choose your password</h1>
        {!token ? (
          <div className="stack">
            <div className="alert alert-error" role="alert">
              This page needs the link from your e-mail, whole. Open the link again, or ask for a new one.
            </div>
            <Link to="/forgot-password">Ask for a new link</Link>
          </div>
        ) : done ? (
          <div className="stack">
            <div className="alert alert-info" role="status">
              {done}
            </div>
            <Link to="/login" className="button button-primary button-block">
              Sign in
            </Link>
          </div>
        ) : (
          <form onSubmit={submit} noValidate className="stack">
            <Field label="New password" errors={fieldErrors(error, 'new_password')}>
              {(props) => (
                <input
                  {...props}
                  name="new_password"
                  type="password"
                  autoComplete="new-password"
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              )}
            </Field>
            <Field label="Repeat the password" errors={mismatch ? ['The two passwords differ.'] : []}>
              {(props) => (
                <input
                  {...props}
                  name="repeat_password"
                  type="password"
                  autoComplete="new-password"
                  required
                  value={repeat}
                  onChange={(e) => setRepeat(e.target.value)}
                />
              )}
            </Field>
            {error ? <FormError error={error} knownFields={['new_password']} /> : null}
            <button
              type="submit"
              className="button button-primary button-block"
              disabled={busy || !password || password !== repeat}
            >
              {busy ? 'Saving…' : 'Set password'}
            </button>
            <Link to="/forgot-password">Ask for a new link</Link>
          </form>
        )}
      </main>
    </div>
  );
}
