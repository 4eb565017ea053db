import { api, downloadFile, unwrap } from './client';

/** The caller's calendar feed (a secret URL for calendar apps) and sessions as .ics files. */
export const calendarApi = {
  /** A new secret feed URL; any earlier one stops working. */
  subscribe: () => unwrap(api.POST('/me/calendar-token')),
  /** The feed URL stops working. */
  revoke: () => unwrap(api.DELETE('/me/calendar-token')),
  /** Saves one session as an .ics file (the download needs the bearer header). */
  downloadSession: (id: number) =>
    downloadFile(
      api.GET('/sessions/{session_id}/ics', { params: { path: { session_id: id } }, parseAs: 'blob' }),
      `session-${id}.ics`,
    ),
};
