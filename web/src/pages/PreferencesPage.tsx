import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/errors';
import {
  describeMinutes,
  notificationKeys,
  notificationsApi,
  type Preferences,
  REMINDER_MINUTES_MAX,
  REMINDER_MINUTES_MIN,
  REMINDERS_MAX,
  usePreferences,
} from '../api/notifications';
import { FormError, fieldErrors } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';

const UNITS = [
  { name: 'weeks', minutes: 10080 },
  { name: 'days', minutes: 1440 },
  { name: 'hours', minutes: 60 },
  { name: 'minutes', minutes: 1 },
] as const;
type Unit = (typeof UNITS)[number]['name'];
const unitMinutes = (unit: Unit) => UNITS.find((u) => u.name === unit)?.minutes ?? 1;

interface Reminder {
  key: number;
  amount: string;
  unit: Unit;
}

/** Minutes in the largest unit they divide into: 1440 → 1 days, 90 → 90 minutes. */
export function toReminder(minutes: number, key: number): Reminder {
  const unit = UNITS.find((u) => minutes % u.minutes === 0) ?? UNITS[UNITS.length - 1];
  return { key, amount: String(minutes / unit.minutes), unit: unit.name };
}

/** The reminder's minutes, or null when the amount is not a whole positive number. */
export function minutesOf(reminder: Reminder): number | null {
  if (!/^\d+$/.test(reminder.amount.trim())) return null;
  return Number(reminder.amount) * unitMinutes(reminder.unit);
}

const EMAIL_CHOICES = [
  {
    field: 'session_changes',
    label: 'Session changes',
    hint: 'When you are enrolled in a session or removed from it, and when one of yours is moved or cancelled.',
  },
  { field: 'reminders', label: 'Reminders', hint: 'Before each of your sessions starts, at the times below.' },
  {
    field: 'course_updates',
    label: 'Course updates',
    hint: 'When you are enrolled in a course, and before it is due.',
  },
] as const;

/** Messages of the server about the reminder list (`reminder_minutes` or one of its items). */
function reminderErrors(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  return error.fieldErrors.filter((e) => /(^|\.)reminder_minutes(\.|$)/.test(e.field)).map((e) => e.message);
}

function PreferencesForm({ initial, onSaved }: { initial: Preferences; onSaved: () => void }) {
  const queryClient = useQueryClient();
  const id = useId();
  const nextKey = useRef(initial.reminder_minutes.length);
  const [email, setEmail] = useState(initial.email);
  const [reminders, setReminders] = useState(() => initial.reminder_minutes.map((m, i) => toReminder(m, i)));
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: notificationsApi.savePreferences,
    onSuccess: (saved) => {
      // The form starts again from what the server kept (sorted, without duplicates).
      queryClient.setQueryData(notificationKeys.preferences(), saved);
      onSaved();
    },
  });

  const update = (key: number, change: Partial<Reminder>) =>
    setReminders((list) => list.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const add = () => {
    const key = nextKey.current++;
    setReminders((list) => [...list, { key, amount: '1', unit: 'hours' }]);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const minutes = reminders.map(minutesOf);
    if (minutes.some((m) => m === null || m < REMINDER_MINUTES_MIN || m > REMINDER_MINUTES_MAX)) {
      setProblem('Each reminder must be a whole number, from 1 minute to 1 week before the start.');
      return;
    }
    setProblem(null);
    save.mutate({ email, reminder_minutes: minutes as number[] });
  };

  const serverReminderErrors = reminderErrors(save.error);
  const listErrors = problem ? [problem, ...serverReminderErrors] : serverReminderErrors;
  return (
    <form onSubmit={submit} className="stack" noValidate>
      <fieldset className="card">
        <legend>Also send me an e-mail for</legend>
        <p className="muted">Every notification appears under the bell; these choose which ones also come by e-mail.</p>
        {EMAIL_CHOICES.map((choice) => {
          const errors = fieldErrors(save.error, choice.field);
          return (
            <div className="field" key={choice.field}>
              <label className="switch">
                <input
                  type="checkbox"
                  checked={email[choice.field]}
                  aria-describedby={`${id}-${choice.field}`}
                  aria-invalid={errors.length ? true : undefined}
                  onChange={(e) => setEmail({ ...email, [choice.field]: e.target.checked })}
                />
                <span>{choice.label}</span>
              </label>
              <div className="hint" id={`${id}-${choice.field}`}>
                {choice.hint}
              </div>
              {errors.length ? (
                <ul className="field-errors">
                  {errors.map((m) => (
                    <li key={m}>{m}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          );
        })}
      </fieldset>
      <fieldset className="card" aria-describedby={listErrors.length ? `${id}-reminder-errors` : undefined}>
        <legend>Reminders before a session starts</legend>
        <p className="muted">
          Up to {REMINDERS_MAX}, each from 1 minute to 1 week before the start. They appear under the bell, and by
          e-mail if you chose reminders above.
        </p>
        {reminders.length ? null : <p className="empty">No reminders: you will not be reminded of your sessions.</p>}
        <ol className="reminder-list">
          {reminders.map((reminder, index) => {
            const minutes = minutesOf(reminder);
            const label = `Reminder ${index + 1}`;
            return (
              <li key={reminder.key} className="reminder-row" data-testid="reminder">
                <input
                  type="number"
                  min={1}
                  step={1}
                  inputMode="numeric"
                  aria-label={`${label}: how many`}
                  value={reminder.amount}
                  onChange={(e) => update(reminder.key, { amount: e.target.value })}
                />
                <select
                  aria-label={`${label}: unit`}
                  value={reminder.unit}
                  onChange={(e) => update(reminder.key, { unit: e.target.value as Unit })}
                >
                  {UNITS.map((u) => (
                    <option key={u.name} value={u.name}>
                      {u.name}
                    </option>
                  ))}
                </select>
                <span className="muted">before the start{minutes ? ` (${describeMinutes(minutes)})` : ''}</span>
                <button
                  type="button"
                  className="button button-small"
                  aria-label={`Remove reminder ${index + 1}`}
                  onClick={() => setReminders((list) => list.filter((r) => r.key !== reminder.key))}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ol>
        {listErrors.length ? (
          <ul className="field-errors" id={`${id}-reminder-errors`}>
            {listErrors.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        ) : null}
        <button type="button" className="button" onClick={add} disabled={reminders.length >= REMINDERS_MAX}>
          Add a reminder
        </button>
        {reminders.length >= REMINDERS_MAX ? <p className="hint">That is the most reminders you can have.</p> : null}
      </fieldset>
      {save.error ? (
        <FormError
          error={save.error}
          knownFields={['session_changes', 'reminders', 'course_updates', 'reminder_minutes']}
        />
      ) : null}
      <div>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save preferences'}
        </button>
      </div>
    </form>
  );
}

/**
 * What the caller also receives by e-mail, and when reminders come; the link at the foot
 * of every notification mail (List-Unsubscribe) leads here.
 */
export function PreferencesPage() {
  const preferences = usePreferences();
  const [saved, setSaved] = useState(false);
  return (
    <div className="narrow">
      <PageHeader title="Notification preferences">
        <p className="muted">
          See your <Link to="/notifications">notifications</Link>.
        </p>
      </PageHeader>
      <QueryView query={preferences}>
        {(data) => <PreferencesForm key={JSON.stringify(data)} initial={data} onSaved={() => setSaved(true)} />}
      </QueryView>
      <p role="status" className="muted" data-testid="preferences-saved">
        {saved ? 'Preferences saved.' : ''}
      </p>
    </div>
  );
}
