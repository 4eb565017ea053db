/** Times are stored in UTC by the server and shown in the browser's own time zone, named. */

export const browserTimeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const dateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const zoneNameFormat = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' });

export function parseInstant(value: string | Date): Date {
  if (value instanceof Date) return value;
  // A naive timestamp from the server is UTC by contract.
  const hasZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(value);
  return new Date(hasZone || !value.includes('T') ? value : `${value}Z`);
}

export function formatDateTime(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const date = parseInstant(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateTimeFormat.format(date);
}

export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return '—';
  const date = parseInstant(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateFormat.format(date);
}

export function formatTime(value: string | Date): string {
  return timeFormat.format(parseInstant(value));
}

/** "Europe/Berlin (CEST)" */
export function describeTimeZone(at: Date = new Date()): string {
  const short = zoneNameFormat.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  return short && short !== browserTimeZone ? `${browserTimeZone} (${short})` : browserTimeZone;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The value for an <input type="datetime-local"> showing this instant in local time. */
export function toLocalInput(value: string | Date): string {
  const d = parseInstant(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The value for an <input type="date">. */
export function toLocalDateInput(value: Date): string {
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}

/** A local "YYYY-MM-DDTHH:mm" (or a date) read as the browser's local time, sent as UTC ISO 8601. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h = '0', mi = '0'] = match;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The start of the day after a local date: an exclusive upper bound for "to" filters. */
export function dayAfterLocalDate(value: string): string | null {
  const start = fromLocalInput(value);
  if (!start) return null;
  const date = new Date(start);
  date.setDate(date.getDate() + 1);
  return date.toISOString();
}

export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (!h) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}
