import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { auth } from '../auth/session';

// findBy* and waitFor give up after 1 s by default: on a busy 2-core machine a page's first
// render and its fetches can take longer than that, which is load, not a failure.
configure({ asyncUtilTimeout: 5000 });

// jsdom has no CSS.supports, which the dialog primitives ask.
if (typeof globalThis.CSS === 'undefined' || typeof globalThis.CSS.supports !== 'function') {
  Object.defineProperty(globalThis, 'CSS', {
    configurable: true,
    value: { supports: () => false, escape: (value: string) => value.replace(/[^\w-]/g, (c) => `\\${c}`) },
  });
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  auth.signOut();
  auth.clearNotice();
  sessionStorage.clear();
});
