import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { describeError } from '../api/errors';
import { useAssignments, useUsers } from '../api/queries';
import type { Assignment } from '../api/types';
import { formatDate } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { PersonSelect } from '../ui/PersonSelect';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';

export function AssignmentsPage() {
  const assignments = useAssignments();
  const users = useUsers();
  const queryClient = useQueryClient();
  const [student, setStudent] = useState('');
  const [teacher, setTeacher] = useState('');
  const trainees = (users.data ?? []).filter((u) => u.role === 'trainee');
  const trainers = (users.data ?? []).filter((u) => u.role === 'trainer');

  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/assignments', { body: { student_id: Number(student), teacher_id: Number(teacher) } })),
    onSuccess: () => {
      setStudent('');
      void queryClient.invalidateQueries({ queryKey: ['assignments'] });
      showToast({ title: 'Trainee assigned', tone: 'success' });
    },
  });
  const remove = useMutation({
    mutationFn: (a: Assignment) =>
      unwrap(
        api.DELETE('/assignments/{student_id}/{teacher_id}', {
          params: { path: { student_id: a.student.id, teacher_id: a.teacher.id } },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['assignments'] });
      showToast({ title: 'Assignment removed', tone: 'success' });
    },
    onError: (error) =>
      showToast({ title: 'Could not remove the assignment', body: describeError(error), tone: 'error' }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (student && teacher) create.mutate();
  };

  return (
    <div>
      <PageHeader title="Assignments">
        <p className="muted">Which trainer looks after which trainee.</p>
      </PageHeader>
      <form className="card toolbar" onSubmit={submit}>
        <PersonSelect
          label="Trainee"
          people={trainees}
          value={student}
          onChange={setStudent}
          blank="Choose a trainee…"
        />
        <PersonSelect
          label="Trainer"
          people={trainers}
          value={teacher}
          onChange={setTeacher}
          blank="Choose a trainer…"
        />
        <button type="submit" className="button button-primary" disabled={!student || !teacher || create.isPending}>
          Assign
        </button>
      </form>
      {create.error ? <FormError error={create.error} /> : null}
      <QueryView query={assignments} empty="No trainee is assigned to a trainer yet.">
        {(data) => (
          <DataTable caption="Assignments" columns={['Trainee', 'Trainer', 'Since']} actions>
            {data.map((a) => (
              <tr key={a.id}>
                <td data-label="Trainee">{a.student.name || a.student.username}</td>
                <td data-label="Trainer">{a.teacher.name || a.teacher.username}</td>
                <td data-label="Since">{formatDate(a.assigned_date)}</td>
                <td data-label="Actions" className="actions-cell">
                  <button
                    type="button"
                    className="button button-small"
                    disabled={remove.isPending}
                    onClick={() => remove.mutate(a)}
                  >
                    Remove <span className="visually-hidden">assignment of {a.student.username}</span>
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
    </div>
  );
}
