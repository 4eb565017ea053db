import * as Ariakit from '@ariakit/react';
import { useState } from 'react';
import { Link } from 'react-router';
import { useNotifications, useUnreadCount } from '../api/notifications';
import { FormError } from '../ui/forms';
import { NotificationText, useMarkAllRead, useOpenNotification } from '../ui/notifications';
import { ErrorNote, Loading } from '../ui/states';

/** How many of the latest notifications the bell's popover shows. */
export const BELL_LATEST = 5;

/** The bell's accessible name: the count once it is known. */
export function bellLabel(unread: number | undefined): string {
  return unread === undefined ? 'Notifications' : `Notifications, ${unread} unread`;
}

/**
 * The bell in the header: the unread count (refetched when a `notification` or
 * `notifications_read` event arrives), and a popover with the latest few, "mark all read"
 * and a link to the notifications page.
 */
export function NotificationBell() {
  const unread = useUnreadCount();
  const [open, setOpen] = useState(false);
  const count = unread.data ?? 0;
  return (
    <Ariakit.PopoverProvider open={open} setOpen={setOpen} placement="bottom-end">
      <Ariakit.PopoverDisclosure
        className="bell"
        aria-label={bellLabel(unread.data)}
        data-testid="notification-bell"
        data-unread={unread.data ?? ''}
      >
        <svg className="bell-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
        </svg>
        {count ? (
          <span className="bell-badge" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        ) : null}
      </Ariakit.PopoverDisclosure>
      <Ariakit.Popover className="bell-popover" unmountOnHide gutter={8} aria-label="Latest notifications">
        {open ? <Latest unread={count} onDone={() => setOpen(false)} /> : null}
      </Ariakit.Popover>
    </Ariakit.PopoverProvider>
  );
}

function Latest({ unread, onDone }: { unread: number; onDone: () => void }) {
  const latest = useNotifications({ limit: BELL_LATEST });
  const markAll = useMarkAllRead();
  const openNotification = useOpenNotification('/notifications');
  return (
    <div className="bell-body">
      <div className="bell-head">
        <Ariakit.PopoverHeading className="bell-title">Notifications</Ariakit.PopoverHeading>
        <button
          type="button"
          className="button button-small"
          disabled={!unread || markAll.isPending}
          onClick={() => markAll.mutate()}
        >
          Mark all read
        </button>
      </div>
      {markAll.error ? <FormError error={markAll.error} /> : null}
      {latest.isPending ? <Loading /> : null}
      {latest.error ? <ErrorNote error={latest.error} onRetry={() => void latest.refetch()} /> : null}
      {latest.data && !latest.data.length ? <p className="empty">Nothing yet.</p> : null}
      {latest.data?.length ? (
        <ul className="notification-list compact">
          {latest.data.map((notification) => (
            <li key={notification.id} className={notification.read_at ? 'notification' : 'notification unread'}>
              <button
                type="button"
                className="notification-open"
                onClick={() => {
                  openNotification(notification);
                  onDone();
                }}
              >
                <NotificationText notification={notification} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <p className="bell-foot">
        <Link to="/notifications" onClick={onDone}>
          See all notifications
        </Link>
        <Link to="/preferences" onClick={onDone}>
          Preferences
        </Link>
      </p>
    </div>
  );
}
