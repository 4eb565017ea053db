import { useMutation } from '@tanstack/react-query';
import { calendarApi } from '../api/calendar';
import { FormError } from '../ui/forms';

/** Downloads one session as an .ics file for any calendar app. */
export function AddToCalendar({ sessionId }: { sessionId: number }) {
  const download = useMutation({ mutationFn: () => calendarApi.downloadSession(sessionId) });
  return (
    <>
      <button type="button" className="button" onClick={() => download.mutate()} disabled={download.isPending}>
        Add to calendar (.ics)
      </button>
      {download.error ? <FormError error={download.error} /> : null}
    </>
  );
}
