/**
 * Notifications and preferences (API.md part two, "Notifications and calendar"): the caller's
 * own notifications, newest first, marked read one by one or all at once, and the choice of
 * what also goes by e-mail. Query keys start with the `notifications` and `preferences`
 * families, which the `notification` and `notifications_read` live events make stale.
 */
import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Notification = Schemas['NotificationOut'];
/** `session_assigned`, `session_updated`, `session_cancelled`, ... (more may come). */
export type NotificationKind = Notification['kind'];
export type Preferences = Schemas['PreferencesOut'];
/** What PUT /me/preferences changes (a choice left out stays as it is). */
export type PreferencesInput = Schemas['PreferencesIn'];
export type NotificationQuery = NonNullable<paths['/notifications']['get']['parameters']['query']>;

/** The most reminders a person may choose, and their bounds in minutes before the start. */
export const REMINDERS_MAX = 5;
export const REMINDER_MINUTES_MIN = 1;
export const REMINDER_MINUTES_MAX = 10080;

export const notificationKeys = {
  list: (query: NotificationQuery) => ['notifications', 'list', query] as const,
  unread: () => ['notifications', 'unread'] as const,
  preferences: () => ['preferences'] as const,
};

const idPath = (id: number) => ({ params: { path: { notification_id: id } } });

export const notificationsApi = {
  list: (query: NotificationQuery, signal?: AbortSignal) =>
    unwrap(api.GET('/notifications', { params: { query }, signal })),
  unreadCount: async (signal?: AbortSignal) => (await unwrap(api.GET('/notifications/unread-count', { signal }))).count,
  markRead: (id: number) => unwrap(api.POST('/notifications/{notification_id}/read', idPath(id))),
  markAllRead: () => unwrap(api.POST('/notifications/read-all')),
  preferences: (signal?: AbortSignal) => unwrap(api.GET('/me/preferences', { signal })),
  savePreferences: (body: PreferencesInput) => unwrap(api.PUT('/me/preferences', { body })),
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;

export const useNotifications = (query: NotificationQuery, options?: Options<Notification[]>) =>
  useQuery<Notification[], Error, Notification[], QueryKey>({
    queryKey: notificationKeys.list(query),
    queryFn: ({ signal }) => notificationsApi.list(query, signal),
    ...options,
  });

export const useUnreadCount = () =>
  useQuery({ queryKey: notificationKeys.unread(), queryFn: ({ signal }) => notificationsApi.unreadCount(signal) });

export const usePreferences = () =>
  useQuery({ queryKey: notificationKeys.preferences(), queryFn: ({ signal }) => notificationsApi.preferences(signal) });

/**
 * Where a notification's link leads inside the client: links are app paths (`/app/...` or
 * `/...`); the router has `/app` as its base. Null for a link elsewhere or none.
 */
export function clientPath(link: string | null | undefined): string | null {
  if (!link?.startsWith('/') || link.startsWith('//')) return null;
  if (link === '/app') return '/';
  return link.startsWith('/app/') ? link.slice('/app'.length) : link;
}

/** "90 minutes" → "1 hour 30 minutes"; weeks, days, hours and minutes as they divide. */
export function describeMinutes(total: number): string {
  const units: [number, string][] = [
    [10080, 'week'],
    [1440, 'day'],
    [60, 'hour'],
    [1, 'minute'],
  ];
  const parts: string[] = [];
  let rest = total;
  for (const [size, name] of units) {
    const count = Math.floor(rest / size);
    if (count) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
    rest -= count * size;
  }
  return parts.length ? parts.join(' ') : '0 minutes';
}
