import type { AttendanceListing } from '../api/types';
import { formatDateTime } from '../lib/time';

/** A trainee's marks by session id (the server keeps one mark per trainee and session). */
export function marksBySession(list: AttendanceListing[] | undefined): Map<number, AttendanceListing> {
  return new Map((list ?? []).map((mark) => [mark.session.id, mark]));
}

export type MarkState = 'present' | 'absent' | 'unmarked';

export function markState(mark: AttendanceListing | undefined): MarkState {
  if (!mark) return 'unmarked';
  return mark.present ? 'present' : 'absent';
}

const WORDS: Record<MarkState, string> = { present: 'Present', absent: 'Absent', unmarked: 'Not marked' };

/** "Present" / "Absent" / "Not marked" as a badge, with when it was recorded. */
export function AttendanceMark({ mark, showWhen = true }: { mark: AttendanceListing | undefined; showWhen?: boolean }) {
  const state = markState(mark);
  return (
    <span className="attendance-mark" data-state={state}>
      <span className={`badge badge-${state}`}>{WORDS[state]}</span>
      {mark && showWhen ? (
        <span className="muted small">
          {' '}
          recorded <time dateTime={mark.marked_at}>{formatDateTime(mark.marked_at)}</time>
        </span>
      ) : null}
    </span>
  );
}
