import type { Notification } from '../api/notifications';

/** A notification as the API answers it (unread unless `read_at` is given). */
export function makeNotification(id: number, overrides: Partial<Notification> = {}): Notification {
  return {
    id,
    kind: 'session_assigned',
    title: `Notice ${id}`,
    message: `Message ${id}`,
    link: `/app/sessions/${id}`,
    created_at: `2027-01-${String(10 + (id % 18)).padStart(2, '0')}T09:00:00+00:00`,
    read_at: null,
    ...overrides,
  };
}
