import { useQuery } from '@tanstack/react-query';
import type { Assessment, AssessmentInput, QuestionInput, QuestionKind } from '../api/assessments';
import { attempts, QUESTION_KIND_LABELS, QUESTION_KINDS } from '../api/assessments';
import { Field, fieldErrors } from '../ui/forms';
import { QueryView } from '../ui/states';

/** What the editor edits: the assessment as the server takes it (ids kept for what exists). */
export function draftOf(assessment: Assessment | null | undefined): AssessmentInput {
  if (!assessment) return { pass_mark: 70, max_attempts: 3, time_limit_minutes: null, questions: [newQuestion()] };
  return {
    pass_mark: assessment.pass_mark,
    max_attempts: assessment.max_attempts,
    time_limit_minutes: assessment.time_limit_minutes,
    questions: assessment.questions.map((q) => ({
      id: q.id,
      kind: q.kind,
      prompt: q.prompt,
      points: q.points,
      options: q.options.map((o) => ({ id: o.id, text: o.text, correct: o.correct ?? false })),
    })),
  };
}

function newQuestion(kind: QuestionKind = 'single'): QuestionInput {
  return {
    kind,
    prompt: '',
    points: 1,
    options:
      kind === 'text'
        ? []
        : [
            { text: '', correct: true },
            { text: '', correct: false },
          ],
  };
}

/**
 * The assessment editor inside the lesson form: questions (one answer, several answers or a
 * written answer), their options with the correct ones ticked, points, the pass mark, the
 * attempts allowed and an optional time limit. The server checks every rule on save and names
 * each broken one, shown beside its question.
 */
export function AssessmentEditor({
  value,
  onChange,
  error,
}: {
  value: AssessmentInput;
  onChange: (next: AssessmentInput) => void;
  error: unknown;
}) {
  const questions = value.questions;
  const setQuestion = (index: number, next: QuestionInput) =>
    onChange({ ...value, questions: questions.map((q, i) => (i === index ? next : q)) });
  const errors = (field: string) => fieldErrors(error, field);

  return (
    <fieldset className="stack assessment-editor" aria-label="Assessment">
      <legend>Assessment</legend>
      <div className="grid-3">
        <Field label="Pass mark (%)" errors={errors('pass_mark')}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={0}
              max={100}
              value={value.pass_mark}
              onChange={(e) => onChange({ ...value, pass_mark: Number(e.target.value) })}
            />
          )}
        </Field>
        <Field label="Attempts allowed" errors={errors('max_attempts')}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              value={value.max_attempts}
              onChange={(e) => onChange({ ...value, max_attempts: Number(e.target.value) })}
            />
          )}
        </Field>
        <Field label="Time limit (minutes)" errors={errors('time_limit_minutes')} hint="Empty: no time limit.">
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              value={value.time_limit_minutes ?? ''}
              onChange={(e) =>
                onChange({ ...value, time_limit_minutes: e.target.value ? Number(e.target.value) : null })
              }
            />
          )}
        </Field>
      </div>
      {errors('questions').map((m) => (
        <p key={m} className="field-errors" role="alert">
          {m}
        </p>
      ))}
      <ol className="stack question-list">
        {questions.map((question, index) => (
          <QuestionEditor
            key={question.id ?? `new-${index}`}
            index={index}
            question={question}
            error={error}
            onChange={(next) => setQuestion(index, next)}
            onRemove={() => onChange({ ...value, questions: questions.filter((_, i) => i !== index) })}
          />
        ))}
      </ol>
      <div className="button-row">
        {QUESTION_KINDS.map((kind) => (
          <button
            key={kind}
            type="button"
            className="button"
            onClick={() => onChange({ ...value, questions: [...questions, newQuestion(kind)] })}
          >
            Add question: {QUESTION_KIND_LABELS[kind].toLowerCase()}
          </button>
        ))}
      </div>
    </fieldset>
  );
}

function QuestionEditor({
  index,
  question,
  error,
  onChange,
  onRemove,
}: {
  index: number;
  question: QuestionInput;
  error: unknown;
  onChange: (next: QuestionInput) => void;
  onRemove: () => void;
}) {
  const where = `questions[${index}]`;
  const options = question.options ?? [];
  const number = index + 1;
  const setOption = (at: number, change: { text?: string; correct?: boolean }) =>
    onChange({
      ...question,
      options: options.map((o, i) => {
        if (i === at) return { ...o, ...change };
        // One answer: ticking an option unticks the others.
        if (question.kind === 'single' && change.correct) return { ...o, correct: false };
        return o;
      }),
    });
  const setKind = (kind: QuestionKind) =>
    onChange({
      ...question,
      kind,
      options: kind === 'text' ? [] : options.length ? options : newQuestion(kind).options,
    });
  const optionErrors = [...fieldErrors(error, `${where}.options`)];

  return (
    <li className="card stack" aria-label={`Question ${number}`}>
      <div className="grid-3">
        <Field label={`Question ${number} kind`}>
          {(p) => (
            <select {...p} value={question.kind} onChange={(e) => setKind(e.target.value as QuestionKind)}>
              {QUESTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {QUESTION_KIND_LABELS[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={`Question ${number} points`} errors={fieldErrors(error, `${where}.points`)}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              value={question.points}
              onChange={(e) => onChange({ ...question, points: Number(e.target.value) })}
            />
          )}
        </Field>
        <div className="button-row">
          <button type="button" className="button button-small" onClick={onRemove}>
            Remove question {number}
          </button>
        </div>
      </div>
      <Field label={`Question ${number}`} errors={fieldErrors(error, `${where}.prompt`)}>
        {(p) => (
          <textarea
            {...p}
            rows={2}
            value={question.prompt}
            onChange={(e) => onChange({ ...question, prompt: e.target.value })}
          />
        )}
      </Field>
      {question.kind !== 'text' ? (
        <fieldset className="stack">
          <legend>
            Options of question {number}{' '}
            <span className="muted">
              ({question.kind === 'single' ? 'tick the one correct answer' : 'tick every correct answer'})
            </span>
          </legend>
          {options.map((option, at) => (
            <div key={option.id ?? `new-${at}`} className="inline-form">
              <Field label={`Option ${at + 1} of question ${number}`}>
                {(p) => <input {...p} value={option.text} onChange={(e) => setOption(at, { text: e.target.value })} />}
              </Field>
              <label>
                <input
                  type="checkbox"
                  checked={Boolean(option.correct)}
                  onChange={(e) => setOption(at, { correct: e.target.checked })}
                />{' '}
                Correct{' '}
                <span className="visually-hidden">
                  (option {at + 1} of question {number})
                </span>
              </label>
              <button
                type="button"
                className="button button-small"
                onClick={() => onChange({ ...question, options: options.filter((_, i) => i !== at) })}
              >
                Remove{' '}
                <span className="visually-hidden">
                  option {at + 1} of question {number}
                </span>
              </button>
            </div>
          ))}
          <div>
            <button
              type="button"
              className="button button-small"
              onClick={() => onChange({ ...question, options: [...options, { text: '', correct: false }] })}
            >
              Add an option to question {number}
            </button>
          </div>
          {optionErrors.length ? (
            <ul className="field-errors">
              {optionErrors.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          ) : null}
        </fieldset>
      ) : (
        <p className="muted small">A trainer grades the written answer.</p>
      )}
    </li>
  );
}

/** How each question of a saved assessment fared: graded answers and the share right. */
export function AssessmentStatistics({ lessonId, assessment }: { lessonId: number; assessment: Assessment }) {
  const figures = useQuery({
    queryKey: ['attempts', 'statistics', lessonId],
    queryFn: ({ signal }) => attempts.statistics(lessonId, signal),
  });
  const prompts = new Map(assessment.questions.map((q) => [q.id, q.prompt]));
  return (
    <section className="card stack" aria-labelledby={`statistics-${lessonId}`}>
      <h3 id={`statistics-${lessonId}`}>How the questions fared</h3>
      <QueryView query={figures} loadingLabel="Loading the statistics…">
        {(rows) =>
          rows.some((r) => r.attempts) ? (
            <table className="table" data-testid="assessment-statistics">
              <thead>
                <tr>
                  <th scope="col">Question</th>
                  <th scope="col">Graded answers</th>
                  <th scope="col">Full marks</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.question_id}>
                    <td>{prompts.get(r.question_id) ?? `Question ${r.question_id}`}</td>
                    <td>{r.attempts}</td>
                    <td>{Math.round(r.correct_share * 100)}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No graded answers yet.</p>
          )
        }
      </QueryView>
    </section>
  );
}
