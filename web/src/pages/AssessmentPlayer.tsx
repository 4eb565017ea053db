import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import {
  type Attempt,
  type AttemptAnswer,
  attemptKeys,
  attempts,
  formatCountdown,
  secondsLeft,
  useLessonAttempts,
} from '../api/assessments';
import { courseKeys, type Lesson } from '../api/courses';
import { useMe } from '../auth/session';
import { FormError } from '../ui/forms';
import { Loading } from '../ui/states';

type Answers = Record<number, { option_ids: number[]; text: string }>;

/** A clock that ticks every second while `on`. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

function outcome(attempt: Attempt): string {
  if (attempt.expired) return 'Time ran out: no answer counted';
  if (!attempt.graded) return `Waiting for a trainer to grade the written answers (${attempt.score}% so far)`;
  return `${attempt.score}% · ${attempt.passed ? 'Passed' : 'Not passed'}`;
}

/**
 * The assessment player in the lesson viewer: the trainee's attempts so far, and one taken
 * here — its questions in the order the server gave this attempt, a countdown from the
 * server's deadline when there is a time limit (submitting by itself at 0), then the score.
 * Correct answers and each answer's points appear once an attempt is graded.
 */
export function AssessmentPlayer({ lesson }: { lesson: Lesson }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const assessment = lesson.assessment;
  const history = useLessonAttempts(lesson.id);
  const [current, setCurrent] = useState<Attempt | null>(null);
  const [answers, setAnswers] = useState<Answers>({});
  const [result, setResult] = useState<Attempt | null>(null);
  const start = useMutation({
    mutationFn: () => attempts.start(lesson.id),
    onSuccess: (attempt) => {
      setCurrent(attempt);
      setResult(null);
      setAnswers({});
    },
  });
  const submit = useMutation({
    mutationFn: (given: AttemptAnswer[]) => attempts.submit(lesson.id, given),
    onSuccess: (attempt) => {
      setCurrent(null);
      setResult(attempt);
      void queryClient.invalidateQueries({ queryKey: attemptKeys.ofLesson(lesson.id) });
      void queryClient.invalidateQueries({ queryKey: courseKeys.traineeCourses(me.id) });
    },
  });
  const now = useNow(Boolean(current?.deadline));
  const left = current?.deadline ? secondsLeft(current.deadline, now) : null;
  const sent = useRef<number | null>(null);
  const send = () => {
    if (!current || sent.current === current.id) return;
    sent.current = current.id;
    submit.mutate(
      current.assessment.questions.map((q) => {
        const given = answers[q.id];
        return q.kind === 'text'
          ? { question_id: q.id, text: given?.text ?? '' }
          : { question_id: q.id, option_ids: given?.option_ids ?? [] };
      }),
    );
  };
  // The time is up: what is answered goes (the server allows a short grace).
  useEffect(() => {
    if (left === 0) send();
  });

  if (!assessment) return <p className="muted">This assessment has no questions yet.</p>;
  const used = history.data?.length ?? 0;
  const choose = (questionId: number, optionId: number, single: boolean, on: boolean) =>
    setAnswers((all) => {
      const before = all[questionId]?.option_ids ?? [];
      const option_ids = single ? [optionId] : on ? [...before, optionId] : before.filter((id) => id !== optionId);
      return { ...all, [questionId]: { option_ids, text: all[questionId]?.text ?? '' } };
    });

  return (
    <div className="stack" data-testid="assessment">
      <p className="muted">
        {assessment.questions.length} questions · {assessment.total_points} points · pass mark {assessment.pass_mark}% ·{' '}
        {assessment.max_attempts} attempt{assessment.max_attempts === 1 ? '' : 's'} allowed
        {assessment.time_limit_minutes ? ` · ${assessment.time_limit_minutes} minutes` : ''}
      </p>
      {result ? (
        <div className="alert alert-info" role="status" data-testid="attempt-result">
          <p>
            Attempt {result.number}: {outcome(result)}
          </p>
        </div>
      ) : null}
      {current ? (
        <form
          className="stack"
          aria-label="Your attempt"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          {left != null ? (
            <p className="badge" role="timer" aria-live="off" data-testid="countdown">
              Time left {formatCountdown(left)}
            </p>
          ) : null}
          <ol className="stack question-list">
            {current.assessment.questions.map((q, index) => (
              <li key={q.id} className="card stack">
                <fieldset>
                  <legend>
                    {index + 1}. {q.prompt}{' '}
                    <span className="muted">
                      ({q.points} point{q.points === 1 ? '' : 's'})
                    </span>
                  </legend>
                  {q.kind === 'text' ? (
                    <textarea
                      aria-label={`Answer to question ${index + 1}`}
                      rows={4}
                      value={answers[q.id]?.text ?? ''}
                      onChange={(e) =>
                        setAnswers((all) => ({ ...all, [q.id]: { option_ids: [], text: e.target.value } }))
                      }
                    />
                  ) : (
                    q.options.map((o) => (
                      <label key={o.id} className="option">
                        <input
                          type={q.kind === 'single' ? 'radio' : 'checkbox'}
                          name={`question-${q.id}`}
                          checked={answers[q.id]?.option_ids.includes(o.id) ?? false}
                          onChange={(e) => choose(q.id, o.id, q.kind === 'single', e.target.checked)}
                        />{' '}
                        {o.text}
                      </label>
                    ))
                  )}
                </fieldset>
              </li>
            ))}
          </ol>
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={submit.isPending}>
              Submit answers
            </button>
          </div>
        </form>
      ) : (
        <div className="button-row">
          <button
            type="button"
            className="button button-primary"
            disabled={start.isPending || used >= assessment.max_attempts}
            onClick={() => start.mutate()}
          >
            {used ? 'Start another attempt' : 'Start the assessment'}
          </button>
          <span className="muted">
            {used} of {assessment.max_attempts} attempts used
          </span>
        </div>
      )}
      <FormError error={start.error ?? submit.error} />
      {history.isPending ? <Loading label="Loading your attempts…" /> : null}
      {history.data?.length ? (
        <section className="stack" aria-labelledby="your-attempts">
          <h3 id="your-attempts">Your attempts</h3>
          <ul className="stack">
            {history.data.map((attempt) => (
              <li key={attempt.id} data-testid="past-attempt">
                Attempt {attempt.number}: {outcome(attempt)}
                {attempt.graded && !attempt.expired ? <AttemptResults attempt={attempt} /> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

/** A graded attempt's results: each question's points, what was chosen and what was right. */
export function AttemptResults({ attempt }: { attempt: Attempt }) {
  const byQuestion = new Map(attempt.answers.map((a) => [a.question_id, a]));
  return (
    <details>
      <summary>Results of attempt {attempt.number}</summary>
      <ol className="stack">
        {attempt.assessment.questions.map((q) => {
          const answer = byQuestion.get(q.id);
          return (
            <li key={q.id}>
              {q.prompt}{' '}
              <strong>
                {answer?.points ?? 0} of {q.points} points
              </strong>
              {q.kind === 'text' ? (
                <p className="muted">{answer?.text ?? ''}</p>
              ) : (
                <ul>
                  {q.options.map((o) => (
                    <li key={o.id}>
                      {answer?.option_ids.includes(o.id) ? '☑' : '☐'} {o.text}
                      {o.correct ? ' (correct)' : ''}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </details>
  );
}
