import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { auth } from '../auth/session';

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
