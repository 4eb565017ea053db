import { useSyncExternalStore } from 'react';

/**
 * A trainee's own attendance marks as heard on the live connection during this sign-in.
 * The API has no endpoint that lists a trainee's attendance per session, so this is what
 * the trainee's page can show beside each past session.
 */
const KEY = 'tms.ownAttendance';
let marks: Record<number, boolean> = load();
const listeners = new Set<() => void>();

function load(): Record<number, boolean> {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as Record<number, boolean>;
  } catch {
    return {};
  }
}

export function rememberOwnAttendance(sessionId: number, present: boolean): void {
  marks = { ...marks, [sessionId]: present };
  sessionStorage.setItem(KEY, JSON.stringify(marks));
  listeners.forEach((l) => l());
}

export function forgetOwnAttendance(): void {
  marks = {};
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function useOwnAttendance(): Record<number, boolean> {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => marks,
    () => marks,
  );
}
