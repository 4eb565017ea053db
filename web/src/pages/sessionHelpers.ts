import { useMemo } from 'react';
import { useUsers } from '../api/queries';
import type { TrainingSession } from '../api/types';
import { useAuth } from '../auth/session';
import { parseInstant } from '../lib/time';

export function sortByStart(sessions: TrainingSession[]): TrainingSession[] {
  return [...sessions].sort(
    (a, b) => parseInstant(a.scheduled_date).getTime() - parseInstant(b.scheduled_date).getTime(),
  );
}

/** Names of users by id, where the caller may list users (admins and trainers); '' otherwise. */
export function useUserNamesIfAllowed(): (id: number) => string {
  const { user } = useAuth();
  const allowed = user?.role === 'admin' || user?.role === 'trainer';
  const users = useUsers({ enabled: allowed });
  const byId = useMemo(() => new Map((users.data ?? []).map((u) => [u.id, u.name || u.username])), [users.data]);
  return (id: number) => (allowed ? (byId.get(id) ?? `#${id}`) : '');
}

/** Places taken, of how many, and who waits: "3 of 10 (7 left)", "10 of 10, 4 waiting". */
export function describePlaces(session: {
  capacity: number | null;
  places_left: number | null;
  waitlist_count: number;
  enrolled?: number;
}): string {
  const waiting = session.waitlist_count ? `, ${session.waitlist_count} waiting` : '';
  if (session.capacity == null) return `No limit${waiting}`;
  const left = session.places_left ?? 0;
  const taken = session.enrolled ?? session.capacity - left;
  return `${taken} of ${session.capacity}${left ? ` (${left} left)` : ' (full)'}${waiting}`;
}
