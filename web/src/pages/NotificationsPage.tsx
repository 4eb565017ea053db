import { Link, useSearchParams } from 'react-router';
import { useNotifications, useUnreadCount } from '../api/notifications';
import { FormError } from '../ui/forms';
import { NotificationText, useMarkAllRead, useMarkRead, useOpenNotification } from '../ui/notifications';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { QueryView } from '../ui/states';

export const NOTIFICATIONS_PAGE = 20;

/**
 * The caller's notifications, newest first, a page at a time (`?page=`), all or only the
 * unread ones (`?unread=1`). Opening one follows its link and marks it read; new ones and
 * reads in other tabs arrive live (the `notifications` query family).
 */
export function NotificationsPage() {
  const [params, setParams] = useSearchParams();
  const unreadOnly = params.get('unread') === '1';
  const page = Math.max(0, Number(params.get('page')) || 0);
  // One more than a page tells whether there is a next one.
  const list = useNotifications({
    skip: page * NOTIFICATIONS_PAGE,
    limit: NOTIFICATIONS_PAGE + 1,
    unread: unreadOnly || undefined,
  });
  const unread = useUnreadCount();
  const markRead = useMarkRead();
  const markAll = useMarkAllRead();
  const openNotification = useOpenNotification(null);

  const go = (next: { unread?: boolean; page?: number }) => {
    const updated = new URLSearchParams();
    if (next.unread ?? unreadOnly) updated.set('unread', '1');
    if (next.page) updated.set('page', String(next.page));
    setParams(updated, { replace: true });
  };

  return (
    <div>
      <PageHeader
        title="Notifications"
        actions={
          <>
            <button
              type="button"
              className="button"
              disabled={!unread.data || markAll.isPending}
              onClick={() => markAll.mutate()}
            >
              Mark all read
            </button>
            <Link className="button" to="/preferences">
              Preferences
            </Link>
          </>
        }
      >
        <p className="muted" data-testid="unread-summary">
          {unread.data === undefined ? '\u00a0' : unread.data ? `${unread.data} unread` : 'All read.'}
        </p>
      </PageHeader>
      {markAll.error ? <FormError error={markAll.error} /> : null}
      {markRead.error ? <FormError error={markRead.error} /> : null}
      <div className="toolbar">
        {/* biome-ignore lint/a11y/useSemanticElements: a pair of toggle buttons, as on the sessions page */}
        <div className="segmented" role="group" aria-label="Show">
          <button type="button" className="button" aria-pressed={!unreadOnly} onClick={() => go({ unread: false })}>
            All
          </button>
          <button type="button" className="button" aria-pressed={unreadOnly} onClick={() => go({ unread: true })}>
            Unread
          </button>
        </div>
      </div>
      <QueryView
        query={list}
        empty={unreadOnly ? 'No unread notifications.' : 'No notifications yet.'}
        loadingLabel="Loading notifications…"
      >
        {(items) => (
          <>
            <ul className="notification-list" aria-label="Notifications">
              {items.slice(0, NOTIFICATIONS_PAGE).map((notification) => (
                <li
                  key={notification.id}
                  className={notification.read_at ? 'notification' : 'notification unread'}
                  data-testid={`notification-${notification.id}`}
                >
                  <button type="button" className="notification-open" onClick={() => openNotification(notification)}>
                    <NotificationText notification={notification} />
                  </button>
                  {notification.read_at ? null : (
                    <button
                      type="button"
                      className="button button-small"
                      aria-label={`Mark “${notification.title}” read`}
                      disabled={markRead.isPending}
                      onClick={() => markRead.mutate(notification.id)}
                    >
                      Mark read
                    </button>
                  )}
                </li>
              ))}
            </ul>
            <Pager page={page} hasMore={items.length > NOTIFICATIONS_PAGE} onPage={(next) => go({ page: next })} />
          </>
        )}
      </QueryView>
    </div>
  );
}
