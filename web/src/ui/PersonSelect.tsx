import { Field } from './forms';

/** Whom a PersonSelect lists: a user as the API returns one. */
export interface Person {
  id: number;
  name?: string | null;
  username: string;
}

interface PersonSelectProps<P extends Person> {
  label: string;
  people: readonly P[];
  /** The chosen person's id as text; '' for none. */
  value: string;
  onChange: (value: string) => void;
  /** What the empty choice says: "Any trainer" for a filter, "Choose a trainee…" for a form. */
  blank: string;
  /** Words after the name, in brackets: the username or the role, where names may repeat. */
  detail?: (person: P) => string;
  required?: boolean;
}

/** A labelled select of people by name (their username when they have none). */
export function PersonSelect<P extends Person>({
  label,
  people,
  value,
  onChange,
  blank,
  detail,
  required,
}: PersonSelectProps<P>) {
  return (
    <Field label={label}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)} required={required}>
          <option value="">{blank}</option>
          {people.map((person) => (
            <option key={person.id} value={person.id}>
              {person.name || person.username}
              {detail ? ` (${detail(person)})` : ''}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
