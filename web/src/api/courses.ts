/**
 * Courses and learning (API.md part two, "Courses and learning"): the resource types are
 * aliases of the schemas generated from the server's OpenAPI document (schema.d.ts,
 * `npm run api:types`), under the names the pages use, and the calls go through the shared
 * typed client `api`, so any difference of shape between server and client is a type error.
 *
 * One endpoint of API.md is not in the document: `GET /files/{id}` (downloads, a file rather
 * than JSON). Its shape is written by hand in `PendingPaths`, called through `pendingApi` with
 * the same token and error handling. The batch picker's calls are in api/batches.ts.
 */
import { type QueryClient, type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import createClient from 'openapi-fetch';
import { auth } from '../auth/session';
import { api, bearerAndErrors, downloadFile, SIGNED_OUT_EXPIRED, serializeQuery, unwrap } from './client';
import { ApiError, errorFromResponse, isPasswordChangeRequired, NETWORK_ERROR_STATUS } from './errors';
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Course = Schemas['CourseOut'];
/** `GET /courses/` lists courses without their modules. */
export type CourseSummary = Schemas['CourseSummaryOut'];
export type Module = Schemas['ModuleOut'];
export type Lesson = Schemas['LessonOut'];
export type LessonFile = Schemas['LessonFileOut'];
/** A course's enrolment as staff list it: counts only. */
export type CourseEnrolment = Schemas['CourseEnrolmentOut'];
/** The enrolment that completing a lesson answers: with the lessons the trainee completed. */
export type TraineeEnrolment = Schemas['TraineeEnrolmentOut'];
/** One of a trainee's courses, with the lessons of it they completed. */
export type TraineeCourse = Schemas['TraineeCourseOut'];
export type TraineeCourses = Schemas['TraineeCoursesOut'];

export type CourseStatus = Course['status'];
export const COURSE_STATUSES: readonly CourseStatus[] = ['draft', 'published', 'archived'];
export type Difficulty = NonNullable<Course['difficulty']>;
export const DIFFICULTIES: readonly Difficulty[] = ['beginner', 'intermediate', 'advanced'];
export type LessonKind = Lesson['kind'];
/** The kinds an author creates in the course editor (an assessment with its questions). */
export type EditableLessonKind = Schemas['LessonIn']['kind'];
export const EDITABLE_LESSON_KINDS: readonly EditableLessonKind[] = ['text', 'video', 'file', 'session', 'assessment'];
export const isEditableKind = (kind: LessonKind): kind is EditableLessonKind =>
  (EDITABLE_LESSON_KINDS as readonly LessonKind[]).includes(kind);
export type EnrolmentStatus = CourseEnrolment['status'];

/** The body of POST /courses/ (a title is needed) ... */
export type NewCourseInput = Schemas['CourseCreateIn'];
/** ... and of PUT /courses/{id}: any Course field. */
export type CourseInput = Schemas['CourseUpdateIn'];
/** The body of POST /modules/{id}/lessons (a title and a kind are needed) ... */
export type NewLessonInput = Schemas['LessonIn'];
/** ... and of PUT /lessons/{id}. */
export type LessonInput = Schemas['LessonUpdateIn'];
export type ModuleInput = Schemas['ModuleIn'];
export type ModuleChanges = Schemas['ModuleUpdateIn'];
/** The whole order (PUT /courses/{id}/order): every module with every one of its lessons. */
export type CourseOrder = { modules: Required<Schemas['ModuleOrderIn']>[] };
export type EnrolInput = Schemas['EnrolmentIn'];
export type EnrolAnswer = Schemas['EnrolmentCountsOut'];
export type Message = Schemas['MessageOut'];
export type CourseListQuery = NonNullable<paths['/courses']['get']['parameters']['query']>;
type PageQuery = NonNullable<paths['/courses/{course_id}/enrolments']['get']['parameters']['query']>;

// The shapes openapi-typescript gives an operation, so that openapi-fetch checks these calls
// exactly as it checks the generated ones.
type Answer<T> = { headers: { [name: string]: unknown }; content: { 'application/json': T } };
interface Read<Path, Result, Query = never> {
  parameters: { query?: Query; header?: never; cookie?: never } & ([Path] extends [never]
    ? { path?: never }
    : { path: Path });
  requestBody?: never;
  responses: { 200: Answer<Result> };
}

/** The endpoints of API.md that the OpenAPI document does not describe yet. */
export interface PendingPaths {
  '/files/{file_id}': { get: Read<{ file_id: number }, Blob> };
}

/** The endpoints not in the generated document yet, with the same token and error handling as `api`. */
export const pendingApi = createClient<PendingPaths>({
  baseUrl: globalThis.location?.origin ?? '',
  querySerializer: serializeQuery,
  fetch: (request) => globalThis.fetch(request),
});
pendingApi.use(bearerAndErrors);

const courseId = (id: number) => ({ params: { path: { course_id: id } } });
const moduleId = (id: number) => ({ params: { path: { module_id: id } } });
const lessonId = (id: number) => ({ params: { path: { lesson_id: id } } });

export const courses = {
  list: (query: CourseListQuery, signal?: AbortSignal) => unwrap(api.GET('/courses', { params: { query }, signal })),
  create: (body: NewCourseInput) => unwrap(api.POST('/courses', { body })),
  get: (id: number, signal?: AbortSignal) => unwrap(api.GET('/courses/{course_id}', { ...courseId(id), signal })),
  update: (id: number, body: CourseInput) => unwrap(api.PUT('/courses/{course_id}', { ...courseId(id), body })),
  remove: (id: number) => unwrap(api.DELETE('/courses/{course_id}', courseId(id))),
  publish: (id: number) => unwrap(api.POST('/courses/{course_id}/publish', courseId(id))),
  archive: (id: number) => unwrap(api.POST('/courses/{course_id}/archive', courseId(id))),
  addModule: (id: number, body: ModuleInput) =>
    unwrap(api.POST('/courses/{course_id}/modules', { ...courseId(id), body })),
  updateModule: (id: number, body: ModuleChanges) => unwrap(api.PUT('/modules/{module_id}', { ...moduleId(id), body })),
  removeModule: (id: number) => unwrap(api.DELETE('/modules/{module_id}', moduleId(id))),
  addLesson: (moduleIdValue: number, body: NewLessonInput) =>
    unwrap(api.POST('/modules/{module_id}/lessons', { ...moduleId(moduleIdValue), body })),
  updateLesson: (id: number, body: LessonInput) => unwrap(api.PUT('/lessons/{lesson_id}', { ...lessonId(id), body })),
  removeLesson: (id: number) => unwrap(api.DELETE('/lessons/{lesson_id}', lessonId(id))),
  /** The whole order: every module with every one of its lessons. */
  reorder: (id: number, body: CourseOrder) => unwrap(api.PUT('/courses/{course_id}/order', { ...courseId(id), body })),
  /** Saves a lesson's file in the browser (the download needs the bearer header). */
  download: (file: LessonFile) =>
    downloadFile(
      pendingApi.GET('/files/{file_id}', { params: { path: { file_id: file.id } }, parseAs: 'blob' }),
      file.name,
    ),
  enrolments: (id: number, query: PageQuery, signal?: AbortSignal) =>
    unwrap(api.GET('/courses/{course_id}/enrolments', { params: { path: { course_id: id }, query }, signal })),
  enrol: (id: number, body: EnrolInput) =>
    unwrap(api.POST('/courses/{course_id}/enrolments', { ...courseId(id), body })),
  unenrol: (id: number, traineeId: number) =>
    unwrap(
      api.DELETE('/courses/{course_id}/enrolments/{trainee_id}', {
        params: { path: { course_id: id, trainee_id: traineeId } },
      }),
    ),
  complete: (id: number) => unwrap(api.POST('/lessons/{lesson_id}/complete', lessonId(id))),
  uncomplete: (id: number) => unwrap(api.DELETE('/lessons/{lesson_id}/complete', lessonId(id))),
  traineeCourses: (traineeId: number, signal?: AbortSignal) =>
    unwrap(api.GET('/progress/trainee/{trainee_id}/courses', { params: { path: { trainee_id: traineeId } }, signal })),
};

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Uploads a lesson's file (multipart field `file`) with XMLHttpRequest, whose upload events
 * report progress as the bytes leave (fetch cannot). Resolves with the updated Lesson; a
 * failure rejects with an ApiError in words (413 over the size limit, 415 a type not allowed).
 */
export function uploadLessonFile(
  lessonIdValue: number,
  file: File,
  onProgress: (progress: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<Lesson> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${globalThis.location?.origin ?? ''}/lessons/${lessonIdValue}/file`);
    const { token } = auth.get();
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.setRequestHeader('Accept', 'application/json');
    request.upload.onprogress = (event) => {
      onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : file.size });
    };
    request.onload = () => {
      const headers = new Headers();
      const type = request.getResponseHeader('content-type');
      if (type) headers.set('content-type', type);
      const retryAfter = request.getResponseHeader('retry-after');
      if (retryAfter) headers.set('retry-after', retryAfter);
      const response = new Response(request.status === 204 ? null : request.responseText, {
        status: request.status,
        headers,
      });
      if (response.ok) {
        response.json().then((lesson: Lesson) => resolve(lesson), reject);
        return;
      }
      void errorFromResponse(response).then((error) => {
        if (error.status === 401) auth.signOut(SIGNED_OUT_EXPIRED);
        else if (isPasswordChangeRequired(error)) auth.requirePasswordChange(true);
        reject(describeUploadError(error));
      });
    };
    request.onerror = () =>
      reject(new ApiError(NETWORK_ERROR_STATUS, 'The upload did not reach the server. Check your connection.'));
    request.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
}

/** 413 and 415 in words that say what to do, with the server's own detail after them. */
function describeUploadError(error: ApiError): ApiError {
  const lead =
    error.status === 413
      ? 'The file is too large for the server.'
      : error.status === 415
        ? 'This type of file is not allowed.'
        : null;
  if (!lead) return error;
  const detail = error.detail && error.detail !== lead ? ` ${error.detail}` : '';
  const advice =
    error.status === 413 ? ' Choose a smaller file.' : ' Upload a document, image, audio or video file instead.';
  return new ApiError(error.status, `${lead}${detail}${advice}`, error.fieldErrors, error.retryAfterSeconds);
}

/** Query keys: the first element is the family that live events invalidate (realtime/events.ts). */
export const courseKeys = {
  list: (query: CourseListQuery) => ['courses', query] as const,
  course: (id: number) => ['course', id] as const,
  enrolments: (id: number, query: PageQuery) => ['course-enrolments', id, query] as const,
  traineeCourses: (traineeId: number) => ['course-progress', traineeId] as const,
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;

export const useCourses = (query: CourseListQuery, options?: Options<CourseSummary[]>) =>
  useQuery<CourseSummary[], Error, CourseSummary[], QueryKey>({
    queryKey: courseKeys.list(query),
    queryFn: ({ signal }) => courses.list(query, signal),
    ...options,
  });

export const useCourse = (id: number, options?: Options<Course>) =>
  useQuery<Course, Error, Course, QueryKey>({
    queryKey: courseKeys.course(id),
    queryFn: ({ signal }) => courses.get(id, signal),
    ...options,
  });

export const useCourseEnrolments = (id: number, query: PageQuery, options?: Options<CourseEnrolment[]>) =>
  useQuery<CourseEnrolment[], Error, CourseEnrolment[], QueryKey>({
    queryKey: courseKeys.enrolments(id, query),
    queryFn: ({ signal }) => courses.enrolments(id, query, signal),
    ...options,
  });

export const useTraineeCourses = (traineeId: number, options?: Options<TraineeCourses>) =>
  useQuery<TraineeCourses, Error, TraineeCourses, QueryKey>({
    queryKey: courseKeys.traineeCourses(traineeId),
    queryFn: ({ signal }) => courses.traineeCourses(traineeId, signal),
    ...options,
  });

/** The data of a `course_progress` event (API.md). */
export interface CourseProgressEvent {
  course_id: number;
  trainee_id: number;
  completed_lessons: number;
  total_lessons: number;
  progress_percentage: number;
  status: EnrolmentStatus;
}

function asCourseProgress(data: Record<string, unknown>): CourseProgressEvent | null {
  const numbers = ['course_id', 'trainee_id', 'completed_lessons', 'total_lessons', 'progress_percentage'] as const;
  if (!numbers.every((key) => typeof data[key] === 'number')) return null;
  const status = data.status;
  if (status !== 'not_started' && status !== 'in_progress' && status !== 'completed') return null;
  return data as unknown as CourseProgressEvent;
}

/**
 * Moves the progress of a learner at once where it is on screen (the enrolments of the course,
 * the trainee's own courses), before the refetch that the event also causes confirms it.
 */
export function applyCourseProgress(client: QueryClient, data: Record<string, unknown>): void {
  const progress = asCourseProgress(data);
  if (!progress) return;
  const { course_id, trainee_id, ...figures } = progress;
  client.setQueriesData<CourseEnrolment[]>({ queryKey: ['course-enrolments', course_id] }, (list) =>
    list?.map((enrolment) => (enrolment.trainee.id === trainee_id ? { ...enrolment, ...figures } : enrolment)),
  );
  client.setQueryData<TraineeCourses>(courseKeys.traineeCourses(trainee_id), (mine) =>
    mine
      ? {
          ...mine,
          courses: mine.courses.map((entry) => (entry.course_id === course_id ? { ...entry, ...figures } : entry)),
        }
      : mine,
  );
}

/** Lessons in the order a learner takes them: modules by position, then their lessons by position. */
export function lessonsInOrder(course: Pick<Course, 'modules'>): Lesson[] {
  return [...course.modules]
    .sort((a, b) => a.position - b.position)
    .flatMap((module) => [...module.lessons].sort((a, b) => a.position - b.position));
}

/** The sessions a `session` lesson offers, whichever of `session_id` / `session_ids` the server sent. */
export function lessonSessionIds(lesson: Pick<Lesson, 'session_id' | 'session_ids'>): number[] {
  const ids = [...(lesson.session_ids ?? []), ...(lesson.session_id != null ? [lesson.session_id] : [])];
  return [...new Set(ids)];
}

/** "1.5 MB", "320 kB", "12 bytes". */
export function formatBytes(size: number): string {
  if (size < 1000) return `${size} byte${size === 1 ? '' : 's'}`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = size / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
