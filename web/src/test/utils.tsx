import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, type RouteObject, RouterProvider } from 'react-router';
import { vi } from 'vitest';
import type { User } from '../api/types';
import { auth } from '../auth/session';

export function makeUser(overrides: Partial<User> = {}): User {
  const base: User = {
    id: 1,
    username: 'admin',
    email: 'admin@example.test',
    role: 'admin',
    first_name: 'Ada',
    last_name: 'Admin',
    name: 'Ada Admin',
    is_temporary_password: false,
    created_at: '2026-05-01T09:00:00+00:00',
    updated_at: '2026-05-01T09:00:00+00:00',
  };
  const user = { ...base, ...overrides };
  if (!overrides.name) user.name = `${user.first_name} ${user.last_name}`.trim();
  return user;
}

/** The booking fields of a session that neither takes bookings nor has a room (part two). */
export const NO_BOOKING = {
  capacity: null,
  self_booking: false,
  booking_closes_at: null,
  room_id: null,
  places_left: null,
  waitlist_count: 0,
  booking: null,
  waitlist_position: null,
} as const;

export function signInAs(user: User, mustChangePassword = false): void {
  auth.signIn({
    access_token: `token-${user.id}`,
    token_type: 'bearer',
    user,
    force_password_change: mustChangePassword,
  });
}

export interface MockRoute {
  method?: string;
  path: string | RegExp;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Throw a TypeError like a refused connection. */
  networkError?: boolean;
  respond?: (request: { url: URL; method: string; body: unknown; headers: Headers }) => {
    status?: number;
    body?: unknown;
    headers?: Record<string, string>;
  };
}

export interface RecordedCall {
  method: string;
  url: URL;
  body: unknown;
  headers: Headers;
}

/** Replaces fetch at the network edge with canned answers; records every call. */
export function mockFetch(routes: MockRoute[]) {
  const calls: RecordedCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const headers = request.headers;
    const text = await request.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text; // a multipart or text body
    }
    calls.push({ method, url, body, headers });
    const route = routes.find(
      (r) =>
        (r.method ?? 'GET').toUpperCase() === method &&
        (typeof r.path === 'string' ? url.pathname === r.path : r.path.test(url.pathname)),
    );
    if (!route)
      return new Response(JSON.stringify({ detail: `No mock for ${method} ${url.pathname}` }), {
        status: 404,
        headers: { 'content-type': 'application/json' },
      });
    if (route.networkError) throw new TypeError('Failed to fetch');
    const answer = route.respond
      ? route.respond({ url, method, body, headers })
      : { status: route.status, body: route.body, headers: route.headers };
    const status = answer.status ?? 200;
    const raw = typeof answer.body === 'string' && answer.headers?.['content-type'] !== undefined;
    const payload = answer.body === undefined ? null : raw ? String(answer.body) : JSON.stringify(answer.body);
    return new Response(status === 204 ? null : payload, {
      status,
      headers: { 'content-type': 'application/json', ...(answer.headers ?? {}) },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

export function renderRoutes(routes: RouteObject[], initialPath: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [initialPath] });
  const view = render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...view, router, client };
}

export function renderPage(element: ReactElement, path = '/') {
  return renderRoutes([{ path: '*', element }], path);
}
