import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { describeError } from '../api/errors';
import { useUsers } from '../api/queries';
import { type CreateUserAnswer, ROLES, type Role, type User } from '../api/types';
import { useMe } from '../auth/session';
import { generatePassword } from '../lib/password';
import { formatDate } from '../lib/time';
import { CopyField } from '../ui/CopyField';
import { DataTable } from '../ui/DataTable';
import { Modal } from '../ui/Dialog';
import { Field, FormError, fieldErrors, SaveOrCancel } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { PersonSelect } from '../ui/PersonSelect';
import { QueryView, RoleBadge } from '../ui/states';
import { showToast } from '../ui/toasts';

type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; user: User }
  | { kind: 'created'; answer: CreateUserAnswer }
  | { kind: 'reset'; user: User }
  | { kind: 'delete'; user: User }
  | null;

function dialogTitle(dialog: Dialog): string {
  switch (dialog?.kind) {
    case 'create':
      return 'New user';
    case 'edit':
      return `Edit ${dialog.user.username}`;
    case 'created':
      return 'User created';
    case 'reset':
      return `Reset the password of ${dialog.user.username}`;
    case 'delete':
      return `Delete ${dialog.user.username}`;
    default:
      return '';
  }
}

export function matchesSearch(user: User, search: string): boolean {
  const needle = search.trim().toLowerCase();
  if (!needle) return true;
  return [user.username, user.email, user.name, user.first_name, user.last_name].some((v) =>
    v?.toLowerCase().includes(needle),
  );
}

export function UsersPage() {
  const me = useMe();
  const users = useUsers();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const [role, setRole] = useState<'' | Role>('');
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);

  const unlock = useMutation({
    mutationFn: (user: User) => unwrap(api.POST('/users/{user_id}/unlock', { params: { path: { user_id: user.id } } })),
    onSuccess: (answer, user) =>
      showToast({ title: `${user.username} unlocked`, body: answer?.message, tone: 'success' }),
    onError: (error, user) =>
      showToast({ title: `Could not unlock ${user.username}`, body: describeError(error), tone: 'error' }),
  });

  const invite = useMutation({
    mutationFn: (user: User) => unwrap(api.POST('/users/{user_id}/invite', { params: { path: { user_id: user.id } } })),
    onSuccess: (answer, user) =>
      showToast({ title: `Invitation sent to ${user.username}`, body: answer?.message, tone: 'success' }),
    onError: (error, user) =>
      showToast({ title: `Could not invite ${user.username}`, body: describeError(error), tone: 'error' }),
  });

  const visible = useMemo(
    () => (users.data ?? []).filter((u) => (!role || u.role === role) && matchesSearch(u, search)),
    [users.data, role, search],
  );

  return (
    <div>
      <PageHeader
        title="Users"
        actions={
          <button type="button" className="button button-primary" onClick={() => setDialog({ kind: 'create' })}>
            New user
          </button>
        }
      />
      {/* biome-ignore lint/a11y/useSemanticElements: the <search> element is too new for some browsers and screen readers still in use */}
      <div className="toolbar" role="search">
        <Field label="Search">
          {(p) => (
            <input
              {...p}
              type="search"
              placeholder="Name, username or email"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          )}
        </Field>
        <Field label="Role">
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role | '')}>
              <option value="">All roles</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <QueryView query={users} empty="No users yet.">
        {() =>
          visible.length === 0 ? (
            <p className="empty">No user matches these filters.</p>
          ) : (
            <DataTable
              caption={<>Users ({visible.length})</>}
              columns={['Name', 'Username', 'Email', 'Role', 'Created']}
              actions
            >
              {visible.map((user) => (
                <tr key={user.id} data-testid={`user-row-${user.username}`}>
                  <td data-label="Name">
                    <Link to={`/users/${user.id}`}>{user.name || user.username}</Link>
                    {user.is_temporary_password ? <span className="badge badge-warn">temporary password</span> : null}
                  </td>
                  <td data-label="Username">{user.username}</td>
                  <td data-label="Email">{user.email}</td>
                  <td data-label="Role">
                    <RoleBadge role={user.role} />
                  </td>
                  <td data-label="Created">{formatDate(user.created_at)}</td>
                  <td data-label="Actions" className="actions-cell">
                    <div className="actions">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setDialog({ kind: 'edit', user })}
                      >
                        Edit <span className="visually-hidden">{user.username}</span>
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => setDialog({ kind: 'reset', user })}
                      >
                        Reset password <span className="visually-hidden">of {user.username}</span>
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => invite.mutate(user)}
                        disabled={invite.isPending}
                      >
                        Resend invitation <span className="visually-hidden">to {user.username}</span>
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => unlock.mutate(user)}
                        disabled={unlock.isPending}
                      >
                        Unlock <span className="visually-hidden">{user.username}</span>
                      </button>
                      {user.id !== me.id ? (
                        <button
                          type="button"
                          className="button button-small button-danger"
                          onClick={() => setDialog({ kind: 'delete', user })}
                        >
                          Delete <span className="visually-hidden">{user.username}</span>
                        </button>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </DataTable>
          )
        }
      </QueryView>

      {/* One dialog whose content changes, so focus stays inside it from "create" to "created". */}
      <Modal open={dialog !== null} onClose={close} title={dialogTitle(dialog)}>
        {dialog?.kind === 'create' || dialog?.kind === 'edit' ? (
          <UserForm
            key={dialog.kind === 'edit' ? dialog.user.id : 'new'}
            user={dialog.kind === 'edit' ? dialog.user : null}
            onCancel={close}
            onCreated={(answer) => {
              void queryClient.invalidateQueries({ queryKey: ['users'] });
              if (answer.temporary_password) setDialog({ kind: 'created', answer });
              else {
                showToast({ title: `User ${answer.user.username} created`, body: answer.message, tone: 'success' });
                close();
              }
            }}
            onSaved={(user) => {
              void queryClient.invalidateQueries({ queryKey: ['users'] });
              showToast({ title: `${user.username} saved`, tone: 'success' });
              close();
            }}
          />
        ) : null}
        {dialog?.kind === 'created' ? (
          <div className="stack">
            <p>
              <strong>{dialog.answer.user.username}</strong> can now sign in with this temporary password. It is shown
              only once: copy it and give it to them safely. They will be asked to choose their own password.
            </p>
            <CopyField
              label="Temporary password"
              value={dialog.answer.temporary_password ?? ''}
              testId="temporary-password"
            />
            <div>
              <button type="button" className="button button-primary" onClick={close}>
                Done
              </button>
            </div>
          </div>
        ) : null}
        {dialog?.kind === 'reset' ? <ResetPasswordForm user={dialog.user} onDone={close} /> : null}
        {dialog?.kind === 'delete' ? (
          <DeleteUserForm
            user={dialog.user}
            candidates={(users.data ?? []).filter(
              (u) => u.id !== dialog.user.id && (u.role === 'trainer' || u.role === 'admin'),
            )}
            onDone={() => {
              void queryClient.invalidateQueries({ queryKey: ['users'] });
              void queryClient.invalidateQueries({ queryKey: ['sessions'] });
              close();
            }}
            onCancel={close}
          />
        ) : null}
      </Modal>
    </div>
  );
}

const USER_FIELDS = ['username', 'email', 'first_name', 'last_name', 'role', 'password', 'invite'];

function UserForm({
  user,
  onCancel,
  onCreated,
  onSaved,
}: {
  user: User | null;
  onCancel: () => void;
  onCreated: (answer: CreateUserAnswer) => void;
  onSaved: (user: User) => void;
}) {
  const [username, setUsername] = useState(user?.username ?? '');
  const [email, setEmail] = useState(user?.email ?? '');
  const [firstName, setFirstName] = useState(user?.first_name ?? '');
  const [lastName, setLastName] = useState(user?.last_name ?? '');
  const [role, setRole] = useState<Role>(user?.role ?? 'trainee');
  const [sendInvitation, setSendInvitation] = useState(false);
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        username: username.trim(),
        email: email.trim(),
        first_name: firstName.trim(),
        last_name: lastName.trim(),
        role,
      };
      if (user)
        return { saved: await unwrap(api.PUT('/users/{user_id}', { params: { path: { user_id: user.id } }, body })) };
      return { created: await unwrap(api.POST('/users', { body: { ...body, invite: sendInvitation } })) };
    },
    onSuccess: (result) => {
      if (result.created) onCreated(result.created);
      else if (result.saved) onSaved(result.saved);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const error = save.error;
  return (
    <form onSubmit={submit} className="stack" noValidate>
      <Field label="Username" errors={fieldErrors(error, 'username')}>
        {(p) => (
          <input {...p} required autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
        )}
      </Field>
      <Field label="Email" errors={fieldErrors(error, 'email')}>
        {(p) => (
          <input
            {...p}
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        )}
      </Field>
      <div className="grid-2">
        <Field label="First name" errors={fieldErrors(error, 'first_name')}>
          {(p) => <input {...p} value={firstName} onChange={(e) => setFirstName(e.target.value)} />}
        </Field>
        <Field label="Last name" errors={fieldErrors(error, 'last_name')}>
          {(p) => <input {...p} value={lastName} onChange={(e) => setLastName(e.target.value)} />}
        </Field>
      </div>
      <Field label="Role" errors={fieldErrors(error, 'role')}>
        {(p) => (
          <select {...p} value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        )}
      </Field>
      {!user ? (
        <>
          <label className="checkbox-line">
            <input
              type="checkbox"
              name="invite"
              checked={sendInvitation}
              onChange={(e) => setSendInvitation(e.target.checked)}
            />{' '}
            Send invitation instead of a temporary password
          </label>
          <p className="hint">
            {sendInvitation
              ? 'They receive an e-mail with a link to choose their own password (valid 72 hours); no password is shown to you.'
              : 'The server generates a strong temporary password; you will see it once, after saving.'}
          </p>
        </>
      ) : null}
      {error ? <FormError error={error} knownFields={USER_FIELDS} /> : null}
      <SaveOrCancel pending={save.isPending} label={user ? 'Save' : 'Create user'} onCancel={onCancel} />
    </form>
  );
}

function ResetPasswordForm({ user, onDone }: { user: User; onDone: () => void }) {
  const [password, setPassword] = useState(() => generatePassword());
  const [done, setDone] = useState(false);
  const reset = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/auth/reset-password/{user_id}', {
          params: { path: { user_id: user.id } },
          body: { new_password: password },
        }),
      ),
    onSuccess: () => setDone(true),
  });
  if (done) {
    return (
      <div className="stack">
        <p>
          The password of <strong>{user.username}</strong> was reset; their current sign-ins have ended and they must
          choose a new password at their next sign-in. This is the only time the password is shown:
        </p>
        <CopyField label="Temporary password" value={password} testId="reset-password" />
        <div>
          <button type="button" className="button button-primary" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    reset.mutate();
  };
  return (
    <form onSubmit={submit} className="stack" noValidate>
      <Field
        label="New temporary password"
        errors={[
          ...(password.length < 8 ? ['Use at least 8 characters.'] : []),
          ...fieldErrors(reset.error, 'new_password'),
        ]}
        hint="A strong password was generated for you; you may type another."
      >
        {(p) => (
          <div className="copy-row">
            <input
              {...p}
              className="mono"
              autoComplete="off"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <button type="button" className="button" onClick={() => setPassword(generatePassword())}>
              Generate
            </button>
          </div>
        )}
      </Field>
      {reset.error ? <FormError error={reset.error} knownFields={['new_password']} /> : null}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={reset.isPending || password.length < 8}>
          {reset.isPending ? 'Resetting…' : 'Reset password'}
        </button>
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function DeleteUserForm({
  user,
  candidates,
  onDone,
  onCancel,
}: {
  user: User;
  candidates: User[];
  onDone: () => void;
  onCancel: () => void;
}) {
  const [mode, setMode] = useState<'plain' | 'reassign' | 'cascade'>('plain');
  const [reassignTo, setReassignTo] = useState<string>('');
  const remove = useMutation({
    mutationFn: () =>
      unwrap(
        api.DELETE('/users/{user_id}', {
          params: {
            path: { user_id: user.id },
            query:
              mode === 'reassign' ? { reassign_to: Number(reassignTo) } : mode === 'cascade' ? { cascade: true } : {},
          },
        }),
      ),
    onSuccess: () => {
      showToast({ title: `${user.username} deleted`, tone: 'success' });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    remove.mutate();
  };
  const trains = user.role === 'trainer' || user.role === 'admin';
  return (
    <form onSubmit={submit} className="stack" noValidate>
      <p>
        Delete <strong>{user.name || user.username}</strong> ({user.role})? This cannot be undone.
      </p>
      {trains ? (
        <fieldset className="radio-group">
          <legend>Sessions this user trains</legend>
          <label>
            <input type="radio" name="mode" checked={mode === 'plain'} onChange={() => setMode('plain')} /> They train
            no sessions
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'reassign'} onChange={() => setMode('reassign')} /> Give
            their sessions to another trainer
          </label>
          {mode === 'reassign' ? (
            <PersonSelect
              label="New trainer"
              people={candidates}
              value={reassignTo}
              onChange={setReassignTo}
              blank="Choose a trainer…"
              detail={(c) => c.role}
              required
            />
          ) : null}
          <label>
            <input type="radio" name="mode" checked={mode === 'cascade'} onChange={() => setMode('cascade')} /> Delete
            their sessions too
          </label>
        </fieldset>
      ) : null}
      {remove.error ? <FormError error={remove.error} /> : null}
      <div className="button-row">
        <button
          type="submit"
          className="button button-danger"
          disabled={remove.isPending || (mode === 'reassign' && !reassignTo)}
        >
          {remove.isPending ? 'Deleting…' : 'Delete user'}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
