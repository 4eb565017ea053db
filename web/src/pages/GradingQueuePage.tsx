import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type Attempt, attemptKeys, attempts, useGradingQueue, waitingQuestions } from '../api/assessments';
import { courseKeys } from '../api/courses';
import { formatDateTime } from '../lib/time';
import { Field, FormError, fieldErrors } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { Empty, QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';

/**
 * `/grading`: the attempts whose written answers wait for a trainer (admins: every one; a
 * trainer: those at the courses they own), oldest concern first on the page as the server
 * lists them (newest first). Each written answer gets its points, 0 to the question's.
 */
export function GradingQueuePage() {
  const queue = useGradingQueue();
  return (
    <div>
      <PageHeader title="Grading" />
      <p className="muted">Written answers waiting for a trainer. Choices were graded when the trainee submitted.</p>
      <QueryView query={queue} loadingLabel="Loading the grading queue…">
        {(found) =>
          found.length ? (
            <ul className="stack">
              {found.map((attempt) => (
                <li key={attempt.id}>
                  <GradeAttempt attempt={attempt} />
                </li>
              ))}
            </ul>
          ) : (
            <Empty>Nothing waits to be graded.</Empty>
          )
        }
      </QueryView>
    </div>
  );
}

function GradeAttempt({ attempt }: { attempt: Attempt }) {
  const queryClient = useQueryClient();
  const waiting = waitingQuestions(attempt);
  const [points, setPoints] = useState<Record<number, string>>({});
  const grade = useMutation({
    mutationFn: () =>
      attempts.grade(attempt.id, Object.fromEntries(waiting.map((q) => [String(q.id), Number(points[q.id] ?? 0)]))),
    onSuccess: (graded) => {
      showToast({
        title: 'Attempt graded',
        body: `${graded.trainee_name ?? 'The trainee'}: ${graded.score}% · ${graded.passed ? 'passed' : 'not passed'}`,
        tone: 'success',
      });
      void queryClient.invalidateQueries({ queryKey: attemptKeys.queue() });
      void queryClient.invalidateQueries({ queryKey: ['attempts'] });
      void queryClient.invalidateQueries({ queryKey: ['course-enrolments'] });
      void queryClient.invalidateQueries({ queryKey: courseKeys.traineeCourses(attempt.trainee_id) });
    },
  });
  const texts = new Map(attempt.answers.map((a) => [a.question_id, a.text]));
  const name = attempt.trainee_name ?? `Trainee ${attempt.trainee_id}`;

  return (
    <form
      className="card stack"
      noValidate
      aria-label={`Attempt ${attempt.number} by ${name}`}
      onSubmit={(e) => {
        e.preventDefault();
        grade.mutate();
      }}
    >
      <h2>
        {name} · attempt {attempt.number}
      </h2>
      <p className="muted">
        Submitted {attempt.submitted_at ? formatDateTime(attempt.submitted_at) : '—'} · {attempt.score}% from the
        choices so far · pass mark {attempt.assessment.pass_mark}%
      </p>
      {waiting.map((q) => (
        <div key={q.id} className="stack">
          <p>
            <strong>{q.prompt}</strong>
          </p>
          <blockquote data-testid="written-answer">{texts.get(q.id) || '—'}</blockquote>
          <Field
            label={`Points for “${q.prompt}” (0 to ${q.points})`}
            errors={fieldErrors(grade.error, `points.${q.id}`)}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={0}
                max={q.points}
                step="any"
                value={points[q.id] ?? ''}
                onChange={(e) => setPoints((all) => ({ ...all, [q.id]: e.target.value }))}
              />
            )}
          </Field>
        </div>
      ))}
      <FormError error={grade.error} knownFields={waiting.map((q) => `points.${q.id}`)} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={grade.isPending}>
          Grade
        </button>
      </div>
    </form>
  );
}
