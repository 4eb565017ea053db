import { useState } from 'react';
import { ACTIVITY_PAGE, useAchievements, useActivity } from '../api/achievements';
import { formatDate, formatDateTime } from '../lib/time';
import { Pager } from '../ui/Pager';
import { QueryView } from '../ui/states';

/** The milestones a user reached (GET /users/{id}/achievements), oldest first. */
export function AchievementsPanel({ userId, own }: { userId: number; own: boolean }) {
  const query = useAchievements(userId);
  return (
    <section className="card" aria-labelledby={`achievements-${userId}`}>
      <h2 id={`achievements-${userId}`}>Achievements</h2>
      <QueryView
        query={query}
        loadingLabel="Loading achievements…"
        empty={own ? 'No achievements yet: complete a course or attend sessions to earn some.' : 'No achievements yet.'}
      >
        {(held) => (
          <ul className="achievements">
            {held.map((achievement) => (
              <li key={achievement.kind} className="achievement">
                <strong>{achievement.title}</strong>{' '}
                <span className="muted">
                  earned on <time dateTime={achievement.awarded_at}>{formatDate(achievement.awarded_at)}</time>
                </span>
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </section>
  );
}

const KIND_LABELS: Record<string, string> = {
  sign_in: 'Sign-in',
  lesson_completed: 'Lesson',
  attendance: 'Attendance',
  assessment_attempt: 'Assessment',
  assessment_graded: 'Assessment',
  certificate: 'Certificate',
  skill: 'Skill',
  achievement: 'Achievement',
};

/** Each item with its place in the whole timeline: two alike (two sign-ins in one second) stay apart. */
function withPlaces<T>(items: T[], page: number): { item: T; place: number }[] {
  return items.map((item, n) => ({ item, place: page * ACTIVITY_PAGE + n }));
}

/** What the user did, newest first (GET /users/{id}/activity), a page at a time. */
export function ActivityTimeline({ userId }: { userId: number }) {
  const [page, setPage] = useState(0);
  const query = useActivity(userId, page);
  return (
    <section className="card" aria-labelledby={`activity-${userId}`}>
      <h2 id={`activity-${userId}`}>Activity</h2>
      <QueryView query={query} loadingLabel="Loading activity…">
        {(items) => (
          <>
            {items.length === 0 ? <p className="muted">{page ? 'Nothing more.' : 'No activity yet.'}</p> : null}
            <ol className="timeline">
              {withPlaces(items.slice(0, ACTIVITY_PAGE), page).map(({ item, place }) => (
                <li key={place}>
                  <time dateTime={item.at} className="muted">
                    {formatDateTime(item.at)}
                  </time>{' '}
                  <span className="badge">{KIND_LABELS[item.kind] ?? item.kind}</span> {item.summary}
                </li>
              ))}
            </ol>
            <Pager page={page} hasMore={items.length > ACTIVITY_PAGE} onPage={setPage} />
          </>
        )}
      </QueryView>
    </section>
  );
}
