import { type FormEvent, useState } from 'react';
import { api } from '../api/client';
import { ApiError } from '../api/errors';
import { Field, FormError, fieldErrors } from '../ui/forms';

export const MIN_PASSWORD_LENGTH = 8;

export function PasswordChangeForm({ requireCurrent, onDone }: { requireCurrent: boolean; onDone: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);

  const tooShort = next.length < MIN_PASSWORD_LENGTH;
  const mismatch = confirm.length > 0 && confirm !== next;
  const localErrors = touched && tooShort ? [`Use at least ${MIN_PASSWORD_LENGTH} characters.`] : [];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (tooShort || confirm !== next || (requireCurrent && !current)) return;
    setBusy(true);
    setError(null);
    try {
      await api.POST('/auth/change-password', {
        body: requireCurrent ? { current_password: current, new_password: next } : { new_password: next },
      });
      setCurrent('');
      setNext('');
      setConfirm('');
      setTouched(false);
      onDone();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const currentErrors = [
    ...(touched && requireCurrent && !current ? ['Enter your current password.'] : []),
    ...fieldErrors(error, 'current_password'),
    ...(error instanceof ApiError && error.status === 401 ? ['The current password is not right.'] : []),
  ];
  const serverNewErrors = fieldErrors(error, 'new_password');

  return (
    <form onSubmit={submit} noValidate className="stack">
      {requireCurrent ? (
        <Field label="Current password" errors={currentErrors}>
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
            />
          )}
        </Field>
      ) : null}
      <Field
        label="New password"
        errors={[...localErrors, ...serverNewErrors]}
        hint={
          <span aria-live="polite" className={tooShort ? 'check-pending' : 'check-ok'}>
            {tooShort
              ? `At least ${MIN_PASSWORD_LENGTH} characters (${next.length} so far). The server checks the rest of the policy.`
              : `Length OK (${next.length} characters).`}
          </span>
        }
      >
        {(props) => (
          <input
            {...props}
            type="password"
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            minLength={MIN_PASSWORD_LENGTH}
          />
        )}
      </Field>
      <Field
        label="Repeat the new password"
        errors={mismatch || (touched && confirm !== next) ? ['The two passwords are not the same.'] : []}
      >
        {(props) => (
          <input
            {...props}
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
        )}
      </Field>
      {error && !(error instanceof ApiError && error.status === 401) ? (
        <FormError error={error} knownFields={['current_password', 'new_password']} />
      ) : null}
      <div>
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
