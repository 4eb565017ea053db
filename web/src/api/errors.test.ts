import { describe, expect, it } from 'vitest';
import {
  ApiError,
  describeError,
  errorFromResponse,
  formatWait,
  isPasswordChangeRequired,
  parseRetryAfter,
} from './errors';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('errorFromResponse', () => {
  it('keeps the detail and each field error', async () => {
    const error = await errorFromResponse(
      json(422, {
        detail: 'The password does not meet the policy.',
        errors: [
          { field: 'new_password', message: 'Use at least 12 characters.' },
          { field: 'new_password', message: 'Add a digit.' },
          { field: 'other', message: 'Bad.' },
        ],
      }),
    );
    expect(error.status).toBe(422);
    expect(error.detail).toBe('The password does not meet the policy.');
    expect(error.forField('new_password')).toEqual(['Use at least 12 characters.', 'Add a digit.']);
    expect(error.otherMessages(['new_password'])).toEqual(['Other: Bad.']);
  });

  it('never shows raw JSON: a body without detail gets words for its status', async () => {
    const error = await errorFromResponse(json(500, { unexpected: { nested: true } }));
    expect(describeError(error)).toBe('The server could not complete the request. Please try again shortly.');
  });

  it('reads Retry-After in seconds and as a date', async () => {
    const error = await errorFromResponse(
      json(429, { detail: 'Too many sign-in attempts.' }, { 'Retry-After': '120' }),
    );
    expect(error.retryAfterSeconds).toBe(120);
    expect(describeError(error)).toBe('Too many attempts. Please wait 2 minutes and try again.');
    const now = Date.parse('2026-05-01T09:00:00Z');
    expect(parseRetryAfter('Fri, 01 May 2026 09:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter(null)).toBeNull();
  });

  it('accepts framework-style validation lists', async () => {
    const error = await errorFromResponse(json(400, { detail: [{ loc: ['body', 'title'], msg: 'Field required' }] }));
    expect(error.forField('title')).toEqual(['Field required']);
  });
});

describe('helpers', () => {
  it('formats waiting times', () => {
    expect(formatWait(1)).toBe('1 second');
    expect(formatWait(45)).toBe('45 seconds');
    expect(formatWait(61)).toBe('2 minutes');
    expect(formatWait(3600 + 300)).toBe('1 hour 5 minutes');
  });

  it('recognises a 403 that asks for a password change', () => {
    expect(isPasswordChangeRequired(new ApiError(403, 'You must change your password first.'))).toBe(true);
    expect(isPasswordChangeRequired(new ApiError(403, 'Only admins may do that.'))).toBe(false);
    expect(isPasswordChangeRequired(new ApiError(401, 'Password change required'))).toBe(false);
  });
});
