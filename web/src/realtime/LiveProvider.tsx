import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { applyCourseProgress } from '../api/courses';
import { applyImportProgress } from '../api/imports';
import type { TrainingSession, User } from '../api/types';
import { auth, useAuth } from '../auth/session';
import { showToast } from '../ui/toasts';
import { LiveConnection, type LiveState, liveUrl } from './connection';
import { sessionIdOf, staleFamilies, toastFor } from './events';

const LiveContext = createContext<LiveState>({ kind: 'stopped' });

export function useLiveState(): LiveState {
  return useContext(LiveContext);
}

/** Sessions this tab has just changed itself: their events need no toast here. */
const ownSessionChanges = new Map<number, number>();
export function markOwnSessionChange(sessionId: number): void {
  ownSessionChanges.set(sessionId, Date.now() + 5000);
}
function isOwnChange(sessionId: number | null): boolean {
  if (sessionId == null) return false;
  const until = ownSessionChanges.get(sessionId);
  return until != null && until > Date.now();
}

export const SIGNED_OUT_SOCKET = 'Your sign-in is no longer valid. Please sign in again.';

/** Keeps one live connection while signed in and turns its events into fresh data and toasts. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const { token, user } = useAuth();
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>({ kind: 'stopped' });
  const userRef = useRef<User | null>(user);
  userRef.current = user;

  useEffect(() => {
    if (!token) return;
    const sessionTitle = (id: number): string | null => {
      const cached = queryClient.getQueryData<TrainingSession>(['session', id]);
      if (cached) return cached.title;
      for (const [, list] of queryClient.getQueriesData<TrainingSession[]>({ queryKey: ['sessions'] })) {
        const found = list?.find((s) => s.id === id);
        if (found) return found.title;
      }
      return null;
    };
    const connection = new LiveConnection({
      token,
      url: liveUrl(),
      onState: setState,
      onAuthFailure: () => auth.signOut(SIGNED_OUT_SOCKET),
      onResumed: () => void queryClient.invalidateQueries(),
      onEvent: (event) => {
        const me = userRef.current;
        if (!me) return;
        const toast = isOwnChange(sessionIdOf(event)) ? null : toastFor(event, me, sessionTitle);
        if (event.type === 'user_updated' && Number(event.data.user_id) === me.id && event.data.user) {
          auth.updateUser(event.data.user as User);
        }
        // A learner's bar moves at once; the refetch below confirms the figures.
        if (event.type === 'course_progress') applyCourseProgress(queryClient, event.data);
        if (event.type === 'import_progress') applyImportProgress(queryClient, event.data);
        for (const family of staleFamilies(event)) {
          void queryClient.invalidateQueries({ queryKey: [family] });
        }
        if (toast) showToast(toast);
      },
    });
    connection.start();
    const online = () => connection.retryNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      connection.stop();
    };
  }, [token, queryClient]);

  return <LiveContext.Provider value={token ? state : { kind: 'stopped' }}>{children}</LiveContext.Provider>;
}

export function LiveIndicator() {
  const state = useLiveState();
  const [, tick] = useState(0);
  useEffect(() => {
    if (state.kind !== 'reconnecting') return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [state]);
  let label: string;
  let tone: string;
  switch (state.kind) {
    case 'live':
      label = 'Live';
      tone = 'ok';
      break;
    case 'connecting':
      label = 'Connecting…';
      tone = 'pending';
      break;
    case 'reconnecting':
      label = 'Reconnecting…';
      tone = 'pending';
      break;
    case 'offline':
      label = 'Offline';
      tone = 'down';
      break;
    default:
      label = 'Not connected';
      tone = 'down';
  }
  const title =
    state.kind === 'live'
      ? 'Live updates are on: changes by others appear by themselves.'
      : 'Live updates are paused; the page will catch up when the connection is back.';
  return (
    <span
      className={`live live-${tone}`}
      role="status"
      aria-live="polite"
      title={title}
      data-testid="live-indicator"
      data-state={state.kind}
    >
      <span className="live-dot" aria-hidden="true" />
      <span className="live-label">{label}</span>
    </span>
  );
}
