import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { keys } from '../api/queries';
import { useMe } from '../auth/session';
import { formatDateTime } from '../lib/time';
import { PageHeader } from '../ui/PageHeader';
import { QueryView, RoleBadge } from '../ui/states';
import { AchievementsPanel, ActivityTimeline } from './UserAchievements';
import { UserSkillsPanel } from './UserSkillsPanel';

/** Staff's view of one user (GET /users/{id}): their account, skills and achievements;
 * admins also see their activity (GET /users/{id}/activity is theirs and the user's alone). */
export function UserDetailPage() {
  const id = Number(useParams().id);
  const me = useMe();
  const query = useQuery({
    queryKey: keys.user(id),
    queryFn: ({ signal }) => unwrap(api.GET('/users/{user_id}', { params: { path: { user_id: id } }, signal })),
    enabled: Number.isInteger(id) && id > 0,
  });
  return (
    <div className="narrow">
      <p>
        <Link to={me.role === 'admin' ? '/users' : '/trainees'}>← {me.role === 'admin' ? 'Users' : 'My trainees'}</Link>
      </p>
      <QueryView query={query}>
        {(user) => (
          <>
            <PageHeader title={user.name || user.username} />
            <section className="card" aria-labelledby="user-facts">
              <h2 id="user-facts">Account</h2>
              <dl className="facts">
                <dt>Username</dt>
                <dd>{user.username}</dd>
                <dt>Email</dt>
                <dd>{user.email}</dd>
                <dt>Role</dt>
                <dd>
                  <RoleBadge role={user.role} />
                </dd>
                <dt>Member since</dt>
                <dd>{formatDateTime(user.created_at)}</dd>
              </dl>
            </section>
            <UserSkillsPanel userId={user.id} />
            <AchievementsPanel userId={user.id} own={false} />
            {me.role === 'admin' && <ActivityTimeline userId={user.id} />}
          </>
        )}
      </QueryView>
    </div>
  );
}
