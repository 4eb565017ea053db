import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { usePickableBatches } from '../api/batches';
import {
  type Course,
  type CourseEnrolment,
  courses,
  type EnrolAnswer,
  useCourse,
  useCourseEnrolments,
} from '../api/courses';
import { useUsers } from '../api/queries';
import { useMe } from '../auth/session';
import { formatDue, isOverdue } from '../lib/learning';
import { formatDateTime } from '../lib/time';
import { DataTable } from '../ui/DataTable';
import { ConfirmPanel, Modal } from '../ui/Dialog';
import { Field, FormError } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Pager } from '../ui/Pager';
import { ProgressBar, QueryView, StatusBadge } from '../ui/states';
import { showToast } from '../ui/toasts';
import { BatchPicker } from './BatchPicker';
import { TraineePicker } from './SessionForm';

const PAGE = 100;

export function statusLabel(status: CourseEnrolment['status']): string {
  return status === 'not_started' ? 'not started' : status === 'in_progress' ? 'in progress' : 'completed';
}

/** Who learns a course and how far they are; the bars move live on `course_progress`. */
export function CourseEnrolmentsPage() {
  const id = Number(useParams().id);
  const course = useCourse(id);
  return (
    <QueryView query={course} loadingLabel="Loading the course…">
      {(data) => <Enrolments course={data} />}
    </QueryView>
  );
}

function Enrolments({ course }: { course: Course }) {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const query = { skip: page * PAGE, limit: PAGE };
  const enrolments = useCourseEnrolments(course.id, query);
  const [removing, setRemoving] = useState<CourseEnrolment | null>(null);
  const queryClient = useQueryClient();
  const canEdit = me.role === 'admin' || course.owner_id === me.id;

  const unenrol = useMutation({
    mutationFn: (traineeId: number) => courses.unenrol(course.id, traineeId),
    onSuccess: (_answer, traineeId) => {
      queryClient.setQueriesData<CourseEnrolment[]>({ queryKey: ['course-enrolments', course.id] }, (list) =>
        list?.filter((e) => e.trainee.id !== traineeId),
      );
      void queryClient.invalidateQueries({ queryKey: ['course-enrolments', course.id] });
      showToast({ title: 'Enrolment removed', body: removing?.trainee.name, tone: 'success' });
      setRemoving(null);
    },
  });

  return (
    <div>
      <PageHeader
        title={`Learners: ${course.title}`}
        actions={
          canEdit ? (
            <Link className="button" to={`/courses/${course.id}/edit`}>
              Edit course
            </Link>
          ) : null
        }
      >
        <p className="muted">
          <Link to="/courses">← All courses</Link> · <span className="mono">{course.code}</span> ·{' '}
          <StatusBadge status={course.status} />
        </p>
      </PageHeader>
      {course.status !== 'published' ? (
        <div className="alert alert-info" role="status">
          <p>This course is {course.status}: learners see it only while it is published.</p>
        </div>
      ) : null}
      <EnrolForm course={course} />
      <section aria-labelledby="learners-title">
        <h2 id="learners-title">Learners</h2>
        <QueryView query={enrolments} loadingLabel="Loading learners…" empty="Nobody is enrolled yet.">
          {(rows) => (
            <DataTable
              caption={<>Learners of {course.title} and their progress</>}
              testId="learners"
              columns={['Learner', 'Progress', 'Status', 'Due', 'Enrolled']}
              actions
            >
              {rows.map((e) => {
                const name = e.trainee.name || e.trainee.username;
                const late = isOverdue(e);
                return (
                  <tr key={e.trainee.id} data-testid={`learner-${e.trainee.id}`}>
                    <td data-label="Learner">
                      {name} <span className="muted small">({e.trainee.email})</span>
                    </td>
                    <td data-label="Progress">
                      <ProgressBar value={e.progress_percentage} label={`Progress of ${name}`} />
                      <span className="muted small" data-testid="lesson-count">
                        {e.completed_lessons} of {e.total_lessons} lessons
                      </span>
                    </td>
                    <td data-label="Status">
                      <span className={`badge badge-${e.status}`}>{statusLabel(e.status)}</span>
                    </td>
                    <td data-label="Due" className={late ? 'overdue' : undefined}>
                      {formatDue(e.due_date)}
                      {late ? <strong> · overdue</strong> : null}
                    </td>
                    <td data-label="Enrolled">{formatDateTime(e.assigned_at)}</td>
                    <td className="actions-cell">
                      <button type="button" className="button button-small" onClick={() => setRemoving(e)}>
                        Remove <span className="visually-hidden">{name}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          )}
        </QueryView>
        {enrolments.data ? (
          <Pager
            page={page}
            hasMore={enrolments.data.length === PAGE}
            onPage={(next) => setParams(next ? { page: String(next) } : {}, { replace: true })}
          />
        ) : null}
      </section>
      <Modal open={removing !== null} onClose={() => setRemoving(null)} title="Remove this enrolment?">
        {removing ? (
          <ConfirmPanel
            action="Remove enrolment"
            pending={unenrol.isPending}
            error={unenrol.error}
            onConfirm={() => unenrol.mutate(removing.trainee.id)}
            onCancel={() => setRemoving(null)}
          >
            <p>
              {removing.trainee.name || removing.trainee.username} will no longer be enrolled in “{course.title}”.
            </p>
          </ConfirmPanel>
        ) : null}
      </Modal>
    </div>
  );
}

function EnrolForm({ course }: { course: Course }) {
  const queryClient = useQueryClient();
  const users = useUsers();
  const batches = usePickableBatches();
  const [traineeIds, setTraineeIds] = useState<number[]>([]);
  const [batchIds, setBatchIds] = useState<number[]>([]);
  const [due, setDue] = useState('');
  const [result, setResult] = useState<EnrolAnswer | null>(null);
  const enrol = useMutation({
    mutationFn: () =>
      courses.enrol(course.id, {
        trainee_ids: traineeIds,
        ...(batchIds.length ? { batch_ids: batchIds } : {}),
        due_date: due || null,
      }),
    onSuccess: (answer) => {
      setResult(answer);
      setTraineeIds([]);
      setBatchIds([]);
      void queryClient.invalidateQueries({ queryKey: ['course-enrolments', course.id] });
      showToast({ title: 'Learners enrolled', body: enrolledSentence(answer), tone: 'success' });
    },
  });
  const trainees = (users.data ?? []).filter((u) => u.role === 'trainee');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setResult(null);
    enrol.mutate();
  };
  // The picker shows when the caller may enrol batches (admins all, trainers theirs).
  const batchList = batches.data && batches.data.length > 0 ? batches.data : null;

  return (
    <section className="card" aria-labelledby="enrol-title">
      <h2 id="enrol-title">Enrol learners</h2>
      <form className="stack" onSubmit={submit}>
        {users.error ? <FormError error={users.error} /> : null}
        <TraineePicker trainees={trainees} selected={traineeIds} onChange={setTraineeIds} />
        {batchList ? <BatchPicker batches={batchList} selected={batchIds} onChange={setBatchIds} /> : null}
        <Field label="Due date" hint="Optional.">
          {(p) => <input {...p} type="date" value={due} onChange={(e) => setDue(e.target.value)} />}
        </Field>
        <FormError error={enrol.error} knownFields={['trainee_ids', 'batch_ids', 'due_date']} />
        {result ? (
          <p role="status" data-testid="enrol-result">
            {enrolledSentence(result)}
          </p>
        ) : null}
        <div className="button-row">
          <button
            type="submit"
            className="button button-primary"
            disabled={enrol.isPending || (traineeIds.length === 0 && batchIds.length === 0)}
          >
            Enrol
          </button>
        </div>
      </form>
    </section>
  );
}

function enrolledSentence(answer: EnrolAnswer): string {
  const enrolled = `${answer.enrolled} enrolled`;
  return answer.already_enrolled ? `${enrolled}, ${answer.already_enrolled} already enrolled.` : `${enrolled}.`;
}
