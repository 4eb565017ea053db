import { useSyncExternalStore } from 'react';
import type { LoginAnswer, User } from '../api/types';

/**
 * The signed-in user and their bearer token. Kept in sessionStorage (never localStorage):
 * a token ends with the browser tab, and another tab signs in on its own.
 */
export interface AuthState {
  token: string | null;
  user: User | null;
  mustChangePassword: boolean;
  /** Why the user was signed out, shown on the sign-in page. */
  notice: string | null;
}

const KEY = 'tms.auth';
/** Set while the sign-in came from the identity provider: signing out then ends it there too. */
const PROVIDER_KEY = 'tms.auth.provider';

export function markProviderSignIn(): void {
  sessionStorage.setItem(PROVIDER_KEY, '1');
}

/** Whether the sign-in came from the identity provider; asking forgets it. */
export function takeProviderSignIn(): boolean {
  const was = sessionStorage.getItem(PROVIDER_KEY) === '1';
  sessionStorage.removeItem(PROVIDER_KEY);
  return was;
}

function read(): AuthState {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (raw) {
      const parsed = JSON.parse(raw) as Partial<AuthState>;
      if (parsed.token && parsed.user) {
        return {
          token: parsed.token,
          user: parsed.user,
          mustChangePassword: Boolean(parsed.mustChangePassword),
          notice: null,
        };
      }
    }
  } catch {
    sessionStorage.removeItem(KEY);
  }
  return { token: null, user: null, mustChangePassword: false, notice: null };
}

let state: AuthState = read();
const listeners = new Set<() => void>();
const signOutHooks = new Set<() => void>();

function set(next: AuthState): void {
  state = next;
  if (next.token && next.user) {
    sessionStorage.setItem(
      KEY,
      JSON.stringify({ token: next.token, user: next.user, mustChangePassword: next.mustChangePassword }),
    );
  } else {
    sessionStorage.removeItem(KEY);
  }
  for (const listener of listeners) listener();
}

export const auth = {
  get(): AuthState {
    return state;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Runs when a sign-in ends (clear caches, close the socket). */
  onSignOut(hook: () => void): () => void {
    signOutHooks.add(hook);
    return () => signOutHooks.delete(hook);
  },
  signIn(answer: LoginAnswer): void {
    set({
      token: answer.access_token,
      user: answer.user,
      mustChangePassword: Boolean(answer.force_password_change),
      notice: null,
    });
  },
  signOut(notice: string | null = null): void {
    if (!state.token && !state.user) {
      if (notice && state.notice !== notice) set({ ...state, notice });
      return;
    }
    set({ token: null, user: null, mustChangePassword: false, notice });
    for (const hook of signOutHooks) hook();
  },
  updateUser(user: User): void {
    if (!state.user || state.user.id !== user.id) return;
    set({ ...state, user });
  },
  requirePasswordChange(required: boolean): void {
    if (!state.token || state.mustChangePassword === required) return;
    set({ ...state, mustChangePassword: required });
  },
  clearNotice(): void {
    if (state.notice) set({ ...state, notice: null });
  },
};

export function useAuth(): AuthState {
  return useSyncExternalStore(auth.subscribe, auth.get, auth.get);
}

/** The signed-in user; only for components rendered behind the sign-in guard. */
let lastUser: User | null = state.user;

/**
 * The signed-in user, for components behind the sign-in guard. While a sign-out is being
 * rendered away it keeps answering the last user rather than failing.
 */
export function useMe(): User {
  const { user } = useAuth();
  if (user) lastUser = user;
  if (!lastUser) throw new Error('useMe used while signed out');
  return lastUser;
}
