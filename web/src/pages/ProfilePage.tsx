import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { keys } from '../api/queries';
import type { User } from '../api/types';
import { auth, useMe } from '../auth/session';
import { formatDateTime } from '../lib/time';
import { Field, FormError, fieldErrors } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView, RoleBadge } from '../ui/states';
import { showToast } from '../ui/toasts';
import { PasswordChangeForm } from './PasswordChangeForm';
import { AchievementsPanel, ActivityTimeline } from './UserAchievements';
import { UserSkillsPanel } from './UserSkillsPanel';

function ProfileForm({ user }: { user: User }) {
  const queryClient = useQueryClient();
  const [firstName, setFirstName] = useState(user.first_name);
  const [lastName, setLastName] = useState(user.last_name);
  const [email, setEmail] = useState(user.email);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/users/{user_id}', {
          params: { path: { user_id: user.id } },
          body: { first_name: firstName.trim(), last_name: lastName.trim(), email: email.trim() },
        }),
      ),
    onSuccess: (saved) => {
      auth.updateUser(saved);
      queryClient.setQueryData(keys.user(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      showToast({ title: 'Profile saved', tone: 'success' });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const error = save.error;
  return (
    <form onSubmit={submit} className="stack" noValidate>
      <div className="grid-2">
        <Field label="First name" errors={fieldErrors(error, 'first_name')}>
          {(p) => (
            <input {...p} autoComplete="given-name" value={firstName} onChange={(e) => setFirstName(e.target.value)} />
          )}
        </Field>
        <Field label="Last name" errors={fieldErrors(error, 'last_name')}>
          {(p) => (
            <input {...p} autoComplete="family-name" value={lastName} onChange={(e) => setLastName(e.target.value)} />
          )}
        </Field>
      </div>
      <Field label="Email" errors={fieldErrors(error, 'email')}>
        {(p) => (
          <input {...p} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        )}
      </Field>
      {error ? <FormError error={error} knownFields={['first_name', 'last_name', 'email']} /> : null}
      <div>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </form>
  );
}

export function ProfilePage() {
  const me = useMe();
  const query = useQuery({
    queryKey: keys.user(me.id),
    queryFn: ({ signal }) => unwrap(api.GET('/users/{user_id}', { params: { path: { user_id: me.id } }, signal })),
  });
  return (
    <div className="narrow">
      <PageHeader title="Your profile" />
      <QueryView query={query}>
        {(user) => (
          <>
            <section className="card" aria-labelledby="profile-facts">
              <h2 id="profile-facts">Account</h2>
              <dl className="facts">
                <dt>Username</dt>
                <dd>{user.username}</dd>
                <dt>Role</dt>
                <dd>
                  <RoleBadge role={user.role} />
                </dd>
                <dt>Member since</dt>
                <dd>{formatDateTime(user.created_at)}</dd>
              </dl>
            </section>
            <section className="card" aria-labelledby="profile-edit">
              <h2 id="profile-edit">Name and email</h2>
              <ProfileForm key={user.updated_at} user={user} />
            </section>
            <section className="card" aria-labelledby="profile-password">
              <h2 id="profile-password">Password</h2>
              <PasswordChangeForm
                requireCurrent={!user.is_temporary_password}
                onDone={() =>
                  showToast({ title: 'Password changed', body: 'Your other sign-ins have ended.', tone: 'success' })
                }
              />
            </section>
            <UserSkillsPanel userId={user.id} />
            <AchievementsPanel userId={user.id} own />
            <ActivityTimeline userId={user.id} />
          </>
        )}
      </QueryView>
    </div>
  );
}
