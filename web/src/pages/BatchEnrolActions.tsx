import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import type { Batch } from '../api/batches';
import { api, unwrap } from '../api/client';
import { courses, useCourses } from '../api/courses';
import { useSessions } from '../api/queries';
import { formatDateTime } from '../lib/time';
import { markOwnSessionChange } from '../realtime/LiveProvider';
import { Field, FormError } from '../ui/forms';
import { showToast } from '../ui/toasts';

/** "Enrol this batch in a course": its members now, and whoever joins it later. */
export function EnrolBatchInCourse({ batch }: { batch: Batch }) {
  const queryClient = useQueryClient();
  const list = useCourses({ limit: 1000 });
  const [courseId, setCourseId] = useState('');
  const [due, setDue] = useState('');
  const open = (list.data ?? []).filter((c) => c.status !== 'archived' && !batch.course_ids.includes(c.id));
  const enrol = useMutation({
    mutationFn: () =>
      courses.enrol(Number(courseId), { trainee_ids: [], batch_ids: [batch.id], due_date: due || null }),
    onSuccess: (answer) => {
      const course = open.find((c) => String(c.id) === courseId);
      showToast({
        title: `${batch.code} enrolled in ${course?.title ?? 'the course'}`,
        body: `${answer.enrolled} enrolled, ${answer.already_enrolled} already enrolled.`,
        tone: 'success',
      });
      setCourseId('');
      for (const family of ['batch', 'batches', 'course-enrolments', 'course-progress'])
        void queryClient.invalidateQueries({ queryKey: [family] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (courseId) enrol.mutate();
  };
  return (
    <form className="stack card" onSubmit={submit} aria-labelledby="enrol-course-title">
      <h3 id="enrol-course-title">Enrol this batch in a course</h3>
      <p className="muted small">Every member is enrolled, and whoever joins the batch later too.</p>
      <div className="grid-2">
        <Field label="Course">
          {(p) => (
            <select {...p} value={courseId} onChange={(e) => setCourseId(e.target.value)}>
              <option value="">Choose a course…</option>
              {open.map((c) => (
                <option key={c.id} value={c.id}>
                  {`${c.title} (${c.code}, ${c.status})`}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Due date" hint="Optional.">
          {(p) => <input {...p} type="date" value={due} onChange={(e) => setDue(e.target.value)} />}
        </Field>
      </div>
      <FormError error={enrol.error} knownFields={['batch_ids', 'due_date']} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={!courseId || enrol.isPending}>
          Enrol in course
        </button>
      </div>
    </form>
  );
}

/** "Enrol this batch in a session": every member joins a scheduled session still to come. */
export function EnrolBatchInSession({ batch }: { batch: Batch }) {
  const queryClient = useQueryClient();
  const from = useMemo(() => new Date().toISOString(), []);
  const sessions = useSessions({ status: 'scheduled', from, limit: 1000 });
  const [sessionId, setSessionId] = useState('');
  const enrol = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/sessions/{session_id}', {
          params: { path: { session_id: Number(sessionId) } },
          body: { batch_ids: [batch.id] },
        }),
      ),
    onSuccess: (saved) => {
      markOwnSessionChange(saved.id);
      showToast({
        title: `${batch.code} enrolled in ${saved.title}`,
        body: `${saved.trainees.length} trainees in the session now.`,
        tone: 'success',
      });
      setSessionId('');
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
      void queryClient.invalidateQueries({ queryKey: ['session', saved.id] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (sessionId) enrol.mutate();
  };
  return (
    <form className="stack card" onSubmit={submit} aria-labelledby="enrol-session-title">
      <h3 id="enrol-session-title">Enrol this batch in a session</h3>
      <p className="muted small">Every member is enrolled, as long as none is booked elsewhere at that time.</p>
      <Field label="Session">
        {(p) => (
          <select {...p} value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
            <option value="">Choose a session…</option>
            {(sessions.data ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {`${s.title}, ${formatDateTime(s.scheduled_date)}`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <FormError error={enrol.error} knownFields={['batch_ids', 'trainees', 'capacity']} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={!sessionId || enrol.isPending}>
          Enrol in session
        </button>
      </div>
    </form>
  );
}
