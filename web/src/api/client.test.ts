import { describe, expect, it } from 'vitest';
import { auth } from '../auth/session';
import { makeUser, mockFetch, signInAs } from '../test/utils';
import { api, filenameFromDisposition, SIGNED_OUT_EXPIRED, serializeQuery, unwrap } from './client';
import { ApiError } from './errors';

describe('api client', () => {
  it('sends the bearer token kept in sessionStorage, never localStorage', async () => {
    signInAs(makeUser());
    const { calls } = mockFetch([{ path: '/users', body: [makeUser({ id: 2, username: 'tom' })] }]);
    const users = await unwrap(api.GET('/users', { params: { query: { limit: 10, skip: undefined } } }));
    expect(users.map((u) => u.username)).toEqual(['tom']);
    expect(calls[0].headers.get('Authorization')).toBe('Bearer token-1');
    expect(calls[0].headers.get('Accept')).toBe('application/json');
    expect(calls[0].url.search).toBe('?limit=10');
    expect(sessionStorage.getItem('tms.auth')).toContain('token-1');
    expect(localStorage.length).toBe(0);
  });

  it('signs out with a message on a 401', async () => {
    signInAs(makeUser());
    mockFetch([{ path: '/sessions', status: 401, body: { detail: 'Token revoked' } }]);
    await expect(api.GET('/sessions')).rejects.toBeInstanceOf(ApiError);
    expect(auth.get().token).toBeNull();
    expect(auth.get().notice).toBe(SIGNED_OUT_EXPIRED);
    expect(sessionStorage.getItem('tms.auth')).toBeNull();
  });

  it('does not sign out when a credentials check answers 401', async () => {
    signInAs(makeUser());
    mockFetch([{ method: 'POST', path: '/auth/change-password', status: 401, body: { detail: 'Wrong password' } }]);
    await expect(
      api.POST('/auth/change-password', { body: { current_password: 'wrong', new_password: 'long enough' } }),
    ).rejects.toMatchObject({ status: 401, detail: 'Wrong password' });
    expect(auth.get().token).toBe('token-1');
  });

  it('sends the user to change their password on a 403 that asks for it', async () => {
    signInAs(makeUser());
    mockFetch([{ path: '/users', status: 403, body: { detail: 'Password change required before anything else.' } }]);
    await expect(api.GET('/users')).rejects.toMatchObject({ status: 403 });
    expect(auth.get().mustChangePassword).toBe(true);
  });

  it('turns a refused connection into words', async () => {
    mockFetch([{ path: '/health', networkError: true }]);
    await expect(api.GET('/health')).rejects.toMatchObject({
      status: 0,
      detail: expect.stringContaining('Cannot reach the server'),
    });
  });

  it('reads file names from Content-Disposition', () => {
    expect(filenameFromDisposition('attachment; filename=training-report-20260501.pdf', 'x')).toBe(
      'training-report-20260501.pdf',
    );
    expect(filenameFromDisposition('attachment; filename="a b.csv"', 'x')).toBe('a b.csv');
    expect(filenameFromDisposition("attachment; filename*=UTF-8''r%C3%A9port.xlsx", 'x')).toBe('réport.xlsx');
    expect(filenameFromDisposition(null, 'fallback.pdf')).toBe('fallback.pdf');
  });

  it('leaves empty filters out of the query string', () => {
    expect(serializeQuery({ status: '', from: null, to: undefined, limit: 5, order: 'desc' })).toBe(
      'limit=5&order=desc',
    );
  });
});
