import { formatDateTime, formatTime } from '../lib/time';
import type { BookingConflict } from './types';

export interface FieldError {
  field: string;
  message: string;
}

/** An HTTP failure, already turned into words a person can read. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly fieldErrors: FieldError[];
  readonly retryAfterSeconds: number | null;
  /** A double booking's clashes, as data (the detail gives their times in UTC only). */
  readonly conflicts: BookingConflict[];

  constructor(
    status: number,
    detail: string,
    fieldErrors: FieldError[] = [],
    retryAfterSeconds: number | null = null,
    conflicts: BookingConflict[] = [],
  ) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
    this.fieldErrors = fieldErrors;
    this.retryAfterSeconds = retryAfterSeconds;
    this.conflicts = conflicts;
  }

  /** The messages about one field (`errors[].field` may be a plain name or a dotted path). */
  forField(field: string): string[] {
    return this.fieldErrors
      .filter((e) => e.field === field || e.field.split('.').pop() === field)
      .map((e) => e.message);
  }

  /** Messages that belong to no field the form knows about. */
  otherMessages(knownFields: string[]): string[] {
    return this.fieldErrors
      .filter((e) => !knownFields.some((f) => e.field === f || e.field.split('.').pop() === f))
      .map((e) => (e.field ? `${humanizeField(e.field)}: ${e.message}` : e.message));
  }
}

export const NETWORK_ERROR_STATUS = 0;

export function humanizeField(field: string): string {
  const last = field.split('.').pop() ?? field;
  const words = last.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "30 seconds", "2 minutes", "1 hour 5 minutes". */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? '' : 's'}`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `${hours} hour${hours === 1 ? '' : 's'}${rest ? ` ${rest} minute${rest === 1 ? '' : 's'}` : ''}`;
}

/** Parses Retry-After: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.round((at - now) / 1000));
}

function fallbackDetail(status: number): string {
  switch (status) {
    case 400:
      return 'The request was not accepted.';
    case 401:
      return 'You are not signed in.';
    case 403:
      return 'You are not allowed to do that.';
    case 404:
      return 'Not found.';
    case 409:
      return 'That conflicts with existing data.';
    case 413:
      return 'That is too large to send.';
    case 422:
      return 'Some values are not valid.';
    case 429:
      return 'Too many requests.';
    default:
      if (status >= 500) return 'The server could not complete the request. Please try again shortly.';
      return `The request failed (HTTP ${status}).`;
  }
}

function asText(value: unknown): string | null {
  if (typeof value === 'string' && value.trim()) return value;
  if (Array.isArray(value)) {
    const parts = value.map(asText).filter((v): v is string => Boolean(v));
    return parts.length ? parts.join(' ') : null;
  }
  if (value && typeof value === 'object' && 'msg' in value) return asText((value as { msg: unknown }).msg);
  if (value && typeof value === 'object' && 'message' in value) return asText((value as { message: unknown }).message);
  return null;
}

function toFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): FieldError[] => {
    if (!item || typeof item !== 'object') {
      const text = asText(item);
      return text ? [{ field: '', message: text }] : [];
    }
    const record = item as Record<string, unknown>;
    const rawField = record.field ?? record.key ?? record.loc ?? '';
    const field = Array.isArray(rawField) ? rawField.filter((p) => p !== 'body').join('.') : String(rawField ?? '');
    const message = asText(record.message) ?? asText(record.msg) ?? 'is not valid';
    return [{ field, message }];
  });
}

function isPerson(value: unknown): value is { id: number; name: string } {
  if (!value || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  return typeof record.id === 'number' && typeof record.name === 'string';
}

function toConflicts(value: unknown): BookingConflict[] {
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is BookingConflict => {
    if (!item || typeof item !== 'object') return false;
    const c = item as Record<string, unknown>;
    return (
      typeof c.session_id === 'number' &&
      typeof c.title === 'string' &&
      typeof c.scheduled_date === 'string' &&
      typeof c.ends_at === 'string' &&
      (c.trainer === null || isPerson(c.trainer)) &&
      Array.isArray(c.trainees) &&
      c.trainees.every(isPerson)
    );
  });
}

/** Builds an ApiError from a failed response; never exposes raw JSON to the user. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let detail: string | null = null;
  let fieldErrors: FieldError[] = [];
  let conflicts: BookingConflict[] = [];
  const type = response.headers.get('content-type') ?? '';
  try {
    if (type.includes('json')) {
      const body: unknown = await response.json();
      if (body && typeof body === 'object') {
        const record = body as Record<string, unknown>;
        fieldErrors = toFieldErrors(record.errors ?? (Array.isArray(record.detail) ? record.detail : null));
        detail = asText(record.detail) ?? asText(record.message);
        conflicts = toConflicts(record.conflicts);
      }
    } else {
      const text = (await response.text()).trim();
      if (text && text.length < 300 && !text.startsWith('<')) detail = text;
    }
  } catch {
    detail = null;
  }
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  return new ApiError(response.status, detail ?? fallbackDetail(response.status), fieldErrors, retryAfter, conflicts);
}

/** Who is busy in a clashing session: "Tom Trainer (trainer), Pia Doe". */
export function conflictPeople(conflict: BookingConflict): string {
  if (conflict.room) return `Room ${conflict.room.name}`;
  const people = [
    ...(conflict.trainer ? [`${conflict.trainer.name} (trainer)`] : []),
    ...conflict.trainees.map((t) => t.name),
  ];
  return people.join(', ');
}

/** One clash in the browser's time zone: who, which session, when. */
export function describeConflict(conflict: BookingConflict): string {
  const when = `${formatDateTime(conflict.scheduled_date)} – ${formatTime(conflict.ends_at)}`;
  return `${conflictPeople(conflict)}: already in session #${conflict.session_id} “${conflict.title}”, ${when}`;
}

/** A sentence for any error thrown by the client. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === NETWORK_ERROR_STATUS) return error.detail;
    if (error.conflicts.length) {
      const headline = error.conflicts.some((c) => c.room) ? 'Room taken' : 'Double booking';
      return `${headline}. ${error.conflicts.map(describeConflict).join('; ')}.`;
    }
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait != null
        ? `Too many attempts. Please wait ${formatWait(wait)} and try again.`
        : 'Too many attempts. Please wait a moment and try again.';
    }
    return error.detail;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

/** Whether a 403 answer means "change your password first". */
export function isPasswordChangeRequired(error: ApiError): boolean {
  return error.status === 403 && /password/i.test(error.detail) && /(chang|temporar|expire|new)/i.test(error.detail);
}
