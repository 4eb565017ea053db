/**
 * Courses and learning (API.md part two, "Courses and learning"), written by hand.
 *
 * The OpenAPI document does not describe courses yet, so these resource types and the
 * `CoursePaths` below follow API.md word for word. Once the server's course routes land and
 * `npm run api:types` has regenerated schema.d.ts, the types become aliases of the generated
 * schemas (`Course = components['schemas']['CourseOut']`, ...; the names Course, Module,
 * Lesson, LessonFile, CourseEnrolment and TraineeCourses stay) and `courseApi` becomes the
 * generated `api`: the paths are spelt the way the generator spells them, so the calls keep
 * compiling and any difference of shape shows up as a type error.
 */
import { type QueryClient, type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import createClient from 'openapi-fetch';
import { auth } from '../auth/session';
import { bearerAndErrors, downloadFile, SIGNED_OUT_EXPIRED, serializeQuery, unwrap } from './client';
import { ApiError, errorFromResponse, isPasswordChangeRequired, NETWORK_ERROR_STATUS } from './errors';
import type { User } from './types';

export type CourseStatus = 'draft' | 'published' | 'archived';
export const COURSE_STATUSES: readonly CourseStatus[] = ['draft', 'published', 'archived'];
export type Difficulty = 'beginner' | 'intermediate' | 'advanced';
export const DIFFICULTIES: readonly Difficulty[] = ['beginner', 'intermediate', 'advanced'];
export type LessonKind = 'text' | 'video' | 'file' | 'session' | 'assessment';
/** The kinds an author creates in the course editor (assessments come with skills, later). */
export const EDITABLE_LESSON_KINDS: readonly LessonKind[] = ['text', 'video', 'file', 'session'];
export type EnrolmentStatus = 'not_started' | 'in_progress' | 'completed';

export interface LessonFile {
  id: number;
  name: string;
  size: number;
  content_type: string;
}

export interface Lesson {
  id: number;
  module_id: number;
  title: string;
  kind: LessonKind;
  /** Markdown, for text lessons, as the author wrote it. */
  body: string | null;
  /** The server's sanitised rendering of `body`: what a page shows. */
  body_html: string | null;
  /** https only. */
  video_url: string | null;
  file: LessonFile | null;
  /** The live session that delivers a `session` lesson ... */
  session_id?: number | null;
  /** ... or several dates to choose from: attending any one completes it. */
  session_ids?: number[] | null;
  duration_minutes: number | null;
  position: number;
}

export interface Module {
  id: number;
  title: string;
  position: number;
  lessons: Lesson[];
}

export interface Course {
  id: number;
  /** Unique; generated like "CRS-0007" when not given. */
  code: string;
  title: string;
  description: string | null;
  category: string | null;
  difficulty: Difficulty | null;
  estimated_minutes: number | null;
  status: CourseStatus;
  owner_id: number;
  modules: Module[];
  created_at: string;
  updated_at: string;
  published_at: string | null;
}

/** `GET /courses/` lists courses without their modules. */
export type CourseSummary = Omit<Course, 'modules'>;

export interface CourseEnrolment {
  course_id: number;
  trainee: User;
  batch_id?: number | null;
  due_date?: string | null;
  assigned_at: string;
  status: EnrolmentStatus;
  completed_lessons: number;
  total_lessons: number;
  progress_percentage: number;
  completed_at: string | null;
}

export interface TraineeCourse extends CourseEnrolment {
  course: { id: number; code: string; title: string };
}

export interface TraineeCourses {
  courses: TraineeCourse[];
  statistics: {
    total_enrolled: number;
    completed: number;
    in_progress: number;
    not_started: number;
    average_progress: number;
  };
}

/** "Course fields" of POST /courses/ and PUT /courses/{id}. */
export interface CourseInput {
  code?: string | null;
  title?: string;
  description?: string | null;
  category?: string | null;
  difficulty?: Difficulty | null;
  estimated_minutes?: number | null;
  status?: CourseStatus;
}

/** "Lesson fields" of POST /modules/{id}/lessons and PUT /lessons/{id}. */
export interface LessonInput {
  title?: string;
  kind?: LessonKind;
  body?: string | null;
  video_url?: string | null;
  session_id?: number | null;
  session_ids?: number[] | null;
  duration_minutes?: number | null;
  position?: number;
}

export interface CourseOrder {
  modules: { id: number; lessons: number[] }[];
}

export interface EnrolInput {
  trainee_ids?: number[];
  batch_ids?: number[];
  due_date?: string | null;
}

export interface EnrolAnswer {
  enrolled: number;
  already_enrolled: number;
}

/** What the enrolment form needs of a cohort (API.md "Cohorts"): the batch picker. */
export interface BatchSummary {
  id: number;
  code: string;
  name: string;
  trainee_count: number;
}

export interface Message {
  message: string;
}

export interface CourseListQuery {
  skip?: number;
  limit?: number;
  status?: CourseStatus | null;
  q?: string | null;
  category?: string | null;
}

interface PageQuery {
  skip?: number;
  limit?: number;
}

// The shapes openapi-typescript gives an operation, so that openapi-fetch checks these calls
// exactly as it checks the generated ones.
type Json<T> = { content: { 'application/json': T } };
type Answer<T> = { headers: { [name: string]: unknown } } & Json<T>;
interface Operation<Path, Query, Body, Result> {
  parameters: { query?: Query; header?: never; cookie?: never } & ([Path] extends [never]
    ? { path?: never }
    : { path: Path });
  requestBody: [Body] extends [never] ? never : Json<Body>;
  responses: { 200: Answer<Result> };
}
type Read<Path, Result, Query = never> = Omit<Operation<Path, Query, never, Result>, 'requestBody'> & {
  requestBody?: never;
};
type Write<Path, Body, Result> = Operation<Path, never, Body, Result>;
type Act<Path, Result> = Read<Path, Result>;
type NoPath = never;
type CourseId = { course_id: number };
type ModuleId = { module_id: number };
type LessonId = { lesson_id: number };

/** The course endpoints of API.md, in the form of the generated `paths`. */
export interface CoursePaths {
  '/courses': {
    get: Read<NoPath, CourseSummary[], CourseListQuery>;
    post: Write<NoPath, CourseInput, Course>;
  };
  '/courses/{course_id}': {
    get: Read<CourseId, Course>;
    put: Write<CourseId, CourseInput, Course>;
    delete: Act<CourseId, Message>;
  };
  '/courses/{course_id}/publish': { post: Act<CourseId, Course> };
  '/courses/{course_id}/archive': { post: Act<CourseId, Course> };
  '/courses/{course_id}/modules': { post: Write<CourseId, { title: string; position?: number }, Module> };
  '/modules/{module_id}': {
    put: Write<ModuleId, { title?: string; position?: number }, Module>;
    delete: Act<ModuleId, Message>;
  };
  '/modules/{module_id}/lessons': { post: Write<ModuleId, LessonInput, Lesson> };
  '/lessons/{lesson_id}': {
    put: Write<LessonId, LessonInput, Lesson>;
    delete: Act<LessonId, Message>;
  };
  '/courses/{course_id}/order': { put: Write<CourseId, CourseOrder, Course> };
  '/files/{file_id}': { get: Read<{ file_id: number }, Blob> };
  '/courses/{course_id}/enrolments': {
    get: Read<CourseId, CourseEnrolment[], PageQuery>;
    post: Write<CourseId, EnrolInput, EnrolAnswer>;
  };
  '/courses/{course_id}/enrolments/{trainee_id}': { delete: Act<CourseId & { trainee_id: number }, Message> };
  '/lessons/{lesson_id}/complete': {
    post: Act<LessonId, CourseEnrolment>;
    delete: Act<LessonId, CourseEnrolment>;
  };
  '/progress/trainee/{trainee_id}/courses': { get: Read<{ trainee_id: number }, TraineeCourses> };
  '/batches': { get: Read<NoPath, BatchSummary[], PageQuery & { q?: string | null }> };
}

/** The course part of the API, with the same token and error handling as `api`. */
export const courseApi = createClient<CoursePaths>({
  baseUrl: globalThis.location?.origin ?? '',
  querySerializer: serializeQuery,
  fetch: (request) => globalThis.fetch(request),
});
courseApi.use(bearerAndErrors);

const courseId = (id: number) => ({ params: { path: { course_id: id } } });
const moduleId = (id: number) => ({ params: { path: { module_id: id } } });
const lessonId = (id: number) => ({ params: { path: { lesson_id: id } } });

export const courses = {
  list: (query: CourseListQuery, signal?: AbortSignal) =>
    unwrap(courseApi.GET('/courses', { params: { query }, signal })),
  create: (body: CourseInput) => unwrap(courseApi.POST('/courses', { body })),
  get: (id: number, signal?: AbortSignal) => unwrap(courseApi.GET('/courses/{course_id}', { ...courseId(id), signal })),
  update: (id: number, body: CourseInput) => unwrap(courseApi.PUT('/courses/{course_id}', { ...courseId(id), body })),
  remove: (id: number) => unwrap(courseApi.DELETE('/courses/{course_id}', courseId(id))),
  publish: (id: number) => unwrap(courseApi.POST('/courses/{course_id}/publish', courseId(id))),
  archive: (id: number) => unwrap(courseApi.POST('/courses/{course_id}/archive', courseId(id))),
  addModule: (id: number, body: { title: string; position?: number }) =>
    unwrap(courseApi.POST('/courses/{course_id}/modules', { ...courseId(id), body })),
  updateModule: (id: number, body: { title?: string; position?: number }) =>
    unwrap(courseApi.PUT('/modules/{module_id}', { ...moduleId(id), body })),
  removeModule: (id: number) => unwrap(courseApi.DELETE('/modules/{module_id}', moduleId(id))),
  addLesson: (moduleIdValue: number, body: LessonInput) =>
    unwrap(courseApi.POST('/modules/{module_id}/lessons', { ...moduleId(moduleIdValue), body })),
  updateLesson: (id: number, body: LessonInput) =>
    unwrap(courseApi.PUT('/lessons/{lesson_id}', { ...lessonId(id), body })),
  removeLesson: (id: number) => unwrap(courseApi.DELETE('/lessons/{lesson_id}', lessonId(id))),
  /** The whole order: every module with every one of its lessons. */
  reorder: (id: number, body: CourseOrder) =>
    unwrap(courseApi.PUT('/courses/{course_id}/order', { ...courseId(id), body })),
  /** Saves a lesson's file in the browser (the download needs the bearer header). */
  download: (file: LessonFile) =>
    downloadFile(
      courseApi.GET('/files/{file_id}', { params: { path: { file_id: file.id } }, parseAs: 'blob' }),
      file.name,
    ),
  enrolments: (id: number, query: PageQuery, signal?: AbortSignal) =>
    unwrap(courseApi.GET('/courses/{course_id}/enrolments', { params: { path: { course_id: id }, query }, signal })),
  enrol: (id: number, body: EnrolInput) =>
    unwrap(courseApi.POST('/courses/{course_id}/enrolments', { ...courseId(id), body })),
  unenrol: (id: number, traineeId: number) =>
    unwrap(
      courseApi.DELETE('/courses/{course_id}/enrolments/{trainee_id}', {
        params: { path: { course_id: id, trainee_id: traineeId } },
      }),
    ),
  complete: (id: number) => unwrap(courseApi.POST('/lessons/{lesson_id}/complete', lessonId(id))),
  uncomplete: (id: number) => unwrap(courseApi.DELETE('/lessons/{lesson_id}/complete', lessonId(id))),
  traineeCourses: (traineeId: number, signal?: AbortSignal) =>
    unwrap(
      courseApi.GET('/progress/trainee/{trainee_id}/courses', { params: { path: { trainee_id: traineeId } }, signal }),
    ),
  batches: (signal?: AbortSignal) => unwrap(courseApi.GET('/batches', { params: { query: { limit: 1000 } }, signal })),
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
  batches: () => ['batches'] as const,
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

/** The cohorts the caller may enrol; an error (no batches endpoint, or not allowed) hides the picker. */
export const useBatchesIfAvailable = () =>
  useQuery<BatchSummary[], Error, BatchSummary[], QueryKey>({
    queryKey: courseKeys.batches(),
    queryFn: ({ signal }) => courses.batches(signal),
    retry: false,
    staleTime: 5 * 60_000,
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
