import createClient, { type Middleware } from 'openapi-fetch';
import { auth } from '../auth/session';
import { ApiError, errorFromResponse, isPasswordChangeRequired, NETWORK_ERROR_STATUS } from './errors';
import type { paths } from './schema';

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

export const SIGNED_OUT_EXPIRED = 'Your sign-in has ended. Please sign in again.';

/** Where a 401 means "wrong credentials", not "your sign-in ended". */
const CREDENTIALS_CHECKS: ReadonlySet<string> = new Set([
  '/auth/login',
  '/auth/change-password',
  '/auth/logout',
  '/auth/oidc/exchange',
]);

/** A query string without the filters that are not set (undefined, null or ''). */
export function serializeQuery(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  return params.toString();
}

/** Adds the bearer token and turns every failure into an ApiError (shared by every client of the API). */
export const bearerAndErrors: Middleware = {
  onRequest({ request }) {
    const { token } = auth.get();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    if (!request.headers.has('Accept')) request.headers.set('Accept', 'application/json');
    return request;
  },
  async onResponse({ request, response, schemaPath }) {
    if (response.ok) return response;
    const error = await errorFromResponse(response);
    if (error.status === 401 && !CREDENTIALS_CHECKS.has(schemaPath) && request.headers.has('Authorization')) {
      auth.signOut(SIGNED_OUT_EXPIRED);
    } else if (isPasswordChangeRequired(error)) {
      auth.requirePasswordChange(true);
    }
    throw error;
  },
  onError({ error }) {
    if (error instanceof DOMException && error.name === 'AbortError') return error;
    return new ApiError(
      NETWORK_ERROR_STATUS,
      'Cannot reach the server. Check your connection; the server may be down. Please try again.',
    );
  },
};

/**
 * The HTTP API, typed end to end by the OpenAPI document (paths, path and query parameters,
 * bodies, answers). Every call carries the bearer token, and a failure rejects with an
 * ApiError (in words) instead of resolving, so `unwrap` only ever sees successes.
 */
export const api = createClient<paths>({
  // The API is on the client's own origin; Request needs an absolute URL outside a browser.
  baseUrl: globalThis.location?.origin ?? '',
  querySerializer: serializeQuery,
  // Looked up on each call rather than captured once, so whatever fetch is in place is used.
  fetch: (request) => globalThis.fetch(request),
});
api.use(bearerAndErrors);

/** The answer's data (the middleware has already turned every failure into an ApiError). */
export async function unwrap<T>(call: Promise<{ data?: T }>): Promise<T> {
  return (await call).data as T;
}

/** Picks the file name out of a Content-Disposition header (RFC 6266, incl. filename*). */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*([^;]+)/i.exec(header);
  if (star) {
    const value = star[1].trim().replace(/^"|"$/g, '');
    const encoded = value.includes("''") ? value.slice(value.indexOf("''") + 2) : value;
    try {
      return decodeURIComponent(encoded);
    } catch {
      /* fall through to the plain parameter */
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header);
  if (plain) return (plain[2] ?? plain[1]).trim();
  return fallback;
}

/** Hands a file the API answered (asked for with `parseAs: 'blob'`) to the browser as a download. */
export async function downloadFile(
  call: Promise<{ data?: Blob; response: Response }>,
  fallbackName: string,
): Promise<string> {
  const { data, response } = await call;
  const filename = filenameFromDisposition(response.headers.get('content-disposition'), fallbackName);
  const url = URL.createObjectURL(data ?? new Blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return filename;
}
