import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { type Batch, batches, useBatch, useBatchTrainees } from '../api/batches';
import { useCourses } from '../api/courses';
import { useUsers } from '../api/queries';
import type { User } from '../api/types';
import { useMe } from '../auth/session';
import { DataTable } from '../ui/DataTable';
import { ConfirmPanel, Modal } from '../ui/Dialog';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Empty, QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';
import { EnrolBatchInCourse, EnrolBatchInSession } from './BatchEnrolActions';
import { BatchForm, describeDates } from './BatchForm';

/** One batch: its members (admins add and remove them), trainers and courses, and enrolling it. */
export function BatchDetailPage() {
  const id = Number(useParams().id);
  const batch = useBatch(id);
  return (
    <QueryView query={batch} loadingLabel="Loading the batch…">
      {(data) => <BatchDetail batch={data} />}
    </QueryView>
  );
}

function BatchDetail({ batch }: { batch: Batch }) {
  const me = useMe();
  const isAdmin = me.role === 'admin';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const users = useUsers();
  const courseList = useCourses({ limit: 1000 });
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const remove = useMutation({
    mutationFn: () => batches.remove(batch.id),
    onSuccess: () => {
      showToast({ title: `Batch ${batch.code} deleted`, tone: 'success' });
      void queryClient.invalidateQueries({ queryKey: ['batches'] });
      navigate('/batches');
    },
  });
  const courseTitles = new Map((courseList.data ?? []).map((c) => [c.id, c]));

  return (
    <div>
      <PageHeader
        title={batch.name}
        actions={
          isAdmin ? (
            <div className="button-row">
              <button type="button" className="button" onClick={() => setEditing(true)}>
                Edit batch
              </button>
              <button type="button" className="button" onClick={() => setDeleting(true)}>
                Delete batch
              </button>
            </div>
          ) : null
        }
      >
        <p className="muted">
          <Link to="/batches">← All batches</Link> · <span className="mono">{batch.code}</span> · {describeDates(batch)}{' '}
          · <span data-testid="trainee-count">{batch.trainee_count} trainees</span>
        </p>
        {batch.description ? <p>{batch.description}</p> : null}
      </PageHeader>
      <div className="grid-2">
        <section className="card" aria-labelledby="batch-trainers">
          <h2 id="batch-trainers">Trainers</h2>
          {batch.trainer_ids.length === 0 ? <Empty>No trainer follows this batch.</Empty> : null}
          <ul>
            {batch.trainer_ids.map((t) => (
              <li key={t}>{byId.get(t)?.name ?? `Trainer ${t}`}</li>
            ))}
          </ul>
        </section>
        <section className="card" aria-labelledby="batch-courses">
          <h2 id="batch-courses">Courses</h2>
          {batch.course_ids.length === 0 ? <Empty>The batch is enrolled in no course yet.</Empty> : null}
          <ul data-testid="batch-courses">
            {batch.course_ids.map((c) => (
              <li key={c}>
                <Link to={`/courses/${c}/enrolments`}>{courseTitles.get(c)?.title ?? `Course ${c}`}</Link>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <div className="grid-2">
        <EnrolBatchInCourse batch={batch} />
        <EnrolBatchInSession batch={batch} />
      </div>
      <Members batch={batch} trainees={(users.data ?? []).filter((u) => u.role === 'trainee')} canEdit={isAdmin} />
      <Modal open={editing} onClose={() => setEditing(false)} title={`Edit ${batch.code}`} wide>
        {editing ? (
          <BatchForm
            batch={batch}
            onCancel={() => setEditing(false)}
            onSaved={(saved) => {
              showToast({ title: `Batch ${saved.code} saved`, tone: 'success' });
              queryClient.setQueryData(['batch', batch.id], saved);
              void queryClient.invalidateQueries({ queryKey: ['batches'] });
              setEditing(false);
            }}
          />
        ) : null}
      </Modal>
      <Modal open={deleting} onClose={() => setDeleting(false)} title="Delete this batch?">
        <ConfirmPanel
          action="Delete batch"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate()}
          onCancel={() => setDeleting(false)}
        >
          <p>Its {batch.trainee_count} trainee(s) stay enrolled in the courses it brought them to.</p>
        </ConfirmPanel>
      </Modal>
    </div>
  );
}

function Members({ batch, trainees, canEdit }: { batch: Batch; trainees: User[]; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const members = useBatchTrainees(batch.id);
  const [search, setSearch] = useState('');
  const [chosen, setChosen] = useState<number[]>([]);
  const refresh = () => {
    for (const family of ['batch', 'batches', 'batch-trainees'])
      void queryClient.invalidateQueries({ queryKey: [family] });
  };
  const add = useMutation({
    mutationFn: () => batches.addTrainees(batch.id, chosen),
    onSuccess: (answer) => {
      showToast({
        title: `${answer.added} added to ${batch.code}`,
        body: answer.already_members ? `${answer.already_members} already members.` : undefined,
        tone: 'success',
      });
      setChosen([]);
      setSearch('');
      refresh();
    },
  });
  const removeOne = useMutation({
    mutationFn: (trainee: User) => batches.removeTrainee(batch.id, trainee.id),
    onSuccess: (_answer, trainee) => {
      showToast({
        title: `${trainee.name} left ${batch.code}`,
        body: 'Their course enrolments stay.',
        tone: 'success',
      });
      refresh();
    },
    onError: (error, trainee) =>
      showToast({ title: `Could not remove ${trainee.name}`, body: String(error), tone: 'error' }),
  });
  const inBatch = new Set((members.data ?? []).map((m) => m.id));
  const needle = search.trim().toLowerCase();
  const matches = needle
    ? trainees
        .filter((t) => !inBatch.has(t.id) && `${t.name} ${t.username} ${t.email}`.toLowerCase().includes(needle))
        .slice(0, 20)
    : [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen.length) add.mutate();
  };

  return (
    <section className="card" aria-labelledby="batch-members">
      <h2 id="batch-members">Members</h2>
      {canEdit ? (
        <form className="stack" onSubmit={submit} data-testid="add-members">
          <Field label="Search trainees" hint="Name, username or e-mail.">
            {(p) => <input {...p} type="search" value={search} onChange={(e) => setSearch(e.target.value)} />}
          </Field>
          {needle && matches.length === 0 ? <p className="muted">No trainee outside the batch matches.</p> : null}
          <ul className="picker-list">
            {matches.map((t) => (
              <li key={t.id}>
                <label>
                  <input
                    type="checkbox"
                    checked={chosen.includes(t.id)}
                    onChange={(e) => setChosen(e.target.checked ? [...chosen, t.id] : chosen.filter((c) => c !== t.id))}
                  />{' '}
                  {t.name || t.username} <span className="muted">({t.email})</span>
                </label>
              </li>
            ))}
          </ul>
          <FormError error={add.error} knownFields={['trainee_ids']} />
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={!chosen.length || add.isPending}>
              Add {chosen.length || ''} to batch
            </button>
          </div>
        </form>
      ) : null}
      <QueryView query={members} empty="Nobody is in this batch yet." loadingLabel="Loading members…">
        {(rows) => (
          <DataTable
            caption={<>Members of {batch.name}</>}
            testId="members-table"
            columns={['Trainee', 'E-mail']}
            actions
          >
            {rows.map((m) => (
              <tr key={m.id} data-testid={`member-${m.id}`}>
                <td data-label="Trainee">{m.name || m.username}</td>
                <td data-label="E-mail">{m.email}</td>
                <td data-label="Actions">
                  {canEdit ? (
                    <button
                      type="button"
                      className="button button-small"
                      disabled={removeOne.isPending}
                      onClick={() => removeOne.mutate(m)}
                    >
                      Remove <span className="visually-hidden">{m.name}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
    </section>
  );
}
