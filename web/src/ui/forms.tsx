import { type ReactNode, useId } from 'react';
import { ApiError, conflictPeople, describeError } from '../api/errors';
import { formatDateTime, formatTime } from '../lib/time';

export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

interface FieldProps {
  label: ReactNode;
  errors?: string[];
  hint?: ReactNode;
  children: (props: ControlProps) => ReactNode;
  className?: string;
}

/** A labelled control with its hint and its own error messages next to it. */
export function Field({ label, errors = [], hint, children, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, errors.length ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': errors.length ? true : undefined,
        'aria-describedby': describedBy || undefined,
      })}
      {hint ? (
        <div className="hint" id={hintId}>
          {hint}
        </div>
      ) : null}
      {errors.length ? (
        <ul className="field-errors" id={errorId}>
          {errors.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** An API error in words: its detail, plus field messages no field on the form shows. */
export function FormError({ error, knownFields = [] }: { error: unknown; knownFields?: string[] }) {
  if (!error) return null;
  const others = error instanceof ApiError ? error.otherMessages(knownFields) : [];
  const conflicts = error instanceof ApiError ? error.conflicts : [];
  if (conflicts.length) {
    // The server's detail gives UTC; the clashes are shown in the browser's zone instead.
    return (
      <div className="alert alert-error" role="alert">
        <p>
          {conflicts.some((c) => c.room)
            ? 'Room taken: the room holds another session at that time.'
            : 'Double booking: the same people are already booked at that time.'}
        </p>
        <ul className="conflicts">
          {conflicts.map((c) => (
            <li key={c.session_id}>
              <strong>{conflictPeople(c)}</strong> — session #{c.session_id} “{c.title}”,{' '}
              <time dateTime={c.scheduled_date}>{formatDateTime(c.scheduled_date)}</time> –{' '}
              <time dateTime={c.ends_at}>{formatTime(c.ends_at)}</time>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className="alert alert-error" role="alert">
      <p>{describeError(error)}</p>
      {others.length ? (
        <ul>
          {others.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function fieldErrors(error: unknown, field: string): string[] {
  return error instanceof ApiError ? error.forField(field) : [];
}

/** A form's submit button (saying "Saving…" while pending) and its Cancel. */
export function SaveOrCancel({ pending, label, onCancel }: { pending: boolean; label: string; onCancel: () => void }) {
  return (
    <div className="button-row">
      <button type="submit" className="button button-primary" disabled={pending}>
        {pending ? 'Saving…' : label}
      </button>
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** Tick some of a list (trainers, trainees, batches): a fieldset counting the ticked, the field's errors below. */
export function CheckboxPicker<T extends { id: number }>({
  title,
  note = '',
  items,
  selected,
  onChange,
  render,
  errors,
  testId,
  children,
}: {
  title: string;
  /** Said after the count, in the legend. */
  note?: string;
  items: readonly T[];
  selected: number[];
  onChange: (ids: number[]) => void;
  render: (item: T) => ReactNode;
  errors?: string[];
  testId?: string;
  /** Above the list: a filter, or what to say when there is nothing to pick. */
  children?: ReactNode;
}) {
  const toggle = (id: number, on: boolean) => onChange(on ? [...selected, id] : selected.filter((s) => s !== id));
  return (
    <fieldset className="picker" data-testid={testId}>
      <legend>
        {`${title} `}
        <span className="muted">
          ({selected.length} selected{note})
        </span>
      </legend>
      {children}
      <ul className="picker-list">
        {items.map((item) => (
          <li key={item.id}>
            <label>
              <input
                type="checkbox"
                checked={selected.includes(item.id)}
                onChange={(e) => toggle(item.id, e.target.checked)}
              />{' '}
              {render(item)}
            </label>
          </li>
        ))}
      </ul>
      {errors?.length ? (
        <ul className="field-errors">
          {errors.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      ) : null}
    </fieldset>
  );
}
