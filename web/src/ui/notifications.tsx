import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { clientPath, type Notification, notificationsApi } from '../api/notifications';
import { formatDateTime } from '../lib/time';

/** Refetches every notifications query (the bell's count and list, the page). */
function useRefresh() {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: ['notifications'] });
}

export function useMarkRead() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: notificationsApi.markRead, onSuccess: refresh });
}

export function useMarkAllRead() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: notificationsApi.markAllRead, onSuccess: refresh });
}

/**
 * Opening a notification marks it read (if it is not yet) and follows its link inside the
 * client; without a link it goes to `fallback`.
 */
export function useOpenNotification(fallback: string | null) {
  const navigate = useNavigate();
  const markRead = useMarkRead();
  return (notification: Notification) => {
    if (!notification.read_at) markRead.mutate(notification.id);
    const target = clientPath(notification.link) ?? fallback;
    if (target) void navigate(target);
  };
}

/** One notification: title, message and time; unread ones are marked in words and in style. */
export function NotificationText({ notification }: { notification: Notification }) {
  return (
    <span className="notification-text">
      <span className="notification-title">
        {notification.read_at ? null : <span className="visually-hidden">Unread: </span>}
        {notification.title}
      </span>
      {notification.message ? <span className="notification-message">{notification.message}</span> : null}
      <time className="notification-time" dateTime={notification.created_at}>
        {formatDateTime(notification.created_at)}
      </time>
    </span>
  );
}
