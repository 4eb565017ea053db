import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { Field, FormError, fieldErrors } from '../ui/forms';

/** Ask for a link to set a new password. The server answers alike whether or not an account
 * uses the address, so the page does too. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Forgot password · TMS';
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const answer = await unwrap(api.POST('/auth/forgot-password', { body: { email: email.trim() } }));
      setSent(answer.message);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-screen">
      <main className="login-card" id="main">
        <h1>Forgot your password?</h1>
        {sent ? (
          <div className="stack">
            <div className="alert alert-info" role="status">
              {sent}. The link works once, for one hour; check your spam folder if nothing arrives.
            </div>
            <Link to="/login">Back to sign in</Link>
          </div>
        ) : (
          <form onSubmit={submit} noValidate className="stack">
            <p className="muted">
              Enter the e-mail address of your account: we will send you a link to choose a new password.
            </p>
            <Field label="Email" errors={fieldErrors(error, 'email')}>
              {(props) => (
                <input
                  {...props}
                  name="email"
                  type="email"
                  autoComplete="email"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              )}
            </Field>
            {error ? <FormError error={error} knownFields={['email']} /> : null}
            <button type="submit" className="button button-primary button-block" disabled={busy || !email.trim()}>
              {busy ? 'Sending…' : 'Send me a link'}
            </button>
            <Link to="/login">Back to sign in</Link>
          </form>
        )}
      </main>
    </div>
  );
}
