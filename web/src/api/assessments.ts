/**
 * Assessments (API.md part two, "Skills, assessments, certificates": Assessment; docs/api.md
 * "Assessments"): an assessment lesson's questions as authors write them, and attempts —
 * started, submitted, graded. Types are the generated schemas; calls go through `api`.
 */
import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];

export type Assessment = Schemas['AssessmentOut'];
export type Question = Schemas['QuestionOut'];
export type QuestionKind = Question['kind'];
export type AssessmentInput = Schemas['AssessmentIn'];
export type QuestionInput = Schemas['QuestionIn'];
export type Attempt = Schemas['AttemptOut'];
export type AttemptAnswer = Schemas['AnswerIn'];
export type QuestionStatistics = Schemas['QuestionStatisticsOut'];

export const QUESTION_KINDS: readonly QuestionKind[] = ['single', 'multiple', 'text'];
export const QUESTION_KIND_LABELS: Record<QuestionKind, string> = {
  single: 'One answer',
  multiple: 'Several answers',
  text: 'Written answer',
};

const lessonId = (id: number) => ({ params: { path: { lesson_id: id } } });
const attemptId = (id: number) => ({ params: { path: { attempt_id: id } } });

export const attempts = {
  /** The trainee's open attempt, or a new one: its own option order and deadline. */
  start: (lesson: number) => unwrap(api.POST('/lessons/{lesson_id}/attempts/start', lessonId(lesson))),
  submit: (lesson: number, answers: AttemptAnswer[]) =>
    unwrap(api.POST('/lessons/{lesson_id}/attempts', { ...lessonId(lesson), body: { answers } })),
  ofLesson: (lesson: number, signal?: AbortSignal) =>
    unwrap(api.GET('/lessons/{lesson_id}/attempts', { ...lessonId(lesson), signal })),
  /** Submitted attempts; `graded: false` is the grading queue. */
  list: (graded: boolean | undefined, signal?: AbortSignal) =>
    unwrap(api.GET('/attempts', { params: { query: graded === undefined ? {} : { graded } }, signal })),
  get: (id: number, signal?: AbortSignal) => unwrap(api.GET('/attempts/{attempt_id}', { ...attemptId(id), signal })),
  grade: (id: number, points: Record<string, number>) =>
    unwrap(api.POST('/attempts/{attempt_id}/grade', { ...attemptId(id), body: { points } })),
  statistics: (lesson: number, signal?: AbortSignal) =>
    unwrap(api.GET('/lessons/{lesson_id}/statistics', { ...lessonId(lesson), signal })),
};

/** Query keys: every key starts with `attempts`, the family live events refresh. */
export const attemptKeys = {
  ofLesson: (lesson: number) => ['attempts', 'lesson', lesson] as const,
  queue: () => ['attempts', 'queue'] as const,
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;

export const useLessonAttempts = (lesson: number, options?: Options<Attempt[]>) =>
  useQuery<Attempt[], Error, Attempt[], QueryKey>({
    queryKey: attemptKeys.ofLesson(lesson),
    queryFn: ({ signal }) => attempts.ofLesson(lesson, signal),
    ...options,
  });

export const useGradingQueue = () =>
  useQuery<Attempt[], Error, Attempt[], QueryKey>({
    queryKey: attemptKeys.queue(),
    queryFn: ({ signal }) => attempts.list(false, signal),
  });

/** Seconds left until `deadline` at `now` (never below 0). */
export function secondsLeft(deadline: string, now: number): number {
  return Math.max(0, Math.floor((Date.parse(deadline) - now) / 1000));
}

export function formatCountdown(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The questions that wait for a trainer in an attempt (text answers without points). */
export function waitingQuestions(attempt: Attempt): Question[] {
  const waiting = new Set(attempt.answers.filter((a) => a.points == null).map((a) => a.question_id));
  return attempt.assessment.questions.filter((q) => waiting.has(q.id));
}
