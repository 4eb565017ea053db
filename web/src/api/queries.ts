import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { api, type Query, unwrap } from './client';
import type { paths } from './schema';
import type { AttendanceListing, BookableSession, Room, TrainingSession, User } from './types';

/** Query keys: the first element names the resource family that live events invalidate. */
export const keys = {
  users: (query?: Query) => ['users', query ?? {}] as const,
  user: (id: number) => ['user', id] as const,
  sessions: (query?: Query) => ['sessions', query ?? {}] as const,
  session: (id: number) => ['session', id] as const,
  attendance: (sessionId: number) => ['attendance', sessionId] as const,
  traineeAttendance: (traineeId: number) => ['attendance', 'trainee', traineeId] as const,
  traineeProgress: (id: number) => ['progress', 'trainee', id] as const,
  trainerProgress: (id: number) => ['progress', 'trainer', id] as const,
  trainerTrainees: (id: number) => ['trainer-trainees', id] as const,
  assignments: () => ['assignments'] as const,
  overview: () => ['analytics', 'overview'] as const,
  audit: (query: Query) => ['audit', query] as const,
  jobs: (query: Query) => ['jobs', query] as const,
  apiClients: () => ['api-clients'] as const,
  webhooks: () => ['webhooks'] as const,
  webhookEventTypes: () => ['webhooks', 'event-types'] as const,
  webhookDeliveries: (id: number) => ['webhooks', id, 'deliveries'] as const,
  rooms: () => ['rooms'] as const,
  available: (query?: Query) => ['available', query ?? {}] as const,
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;
type QueryOf<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } }
  ? NonNullable<Q>
  : never;

export type SessionQuery = QueryOf<'/sessions'>;
export type AuditQuery = QueryOf<'/audit'>;
export type JobQuery = QueryOf<'/jobs'>;
export type ReportQuery = QueryOf<'/reports/generate'>;

function useGet<T>(key: QueryKey, fetch: (signal: AbortSignal) => Promise<T>, options?: Options<T>) {
  return useQuery<T, Error, T, QueryKey>({ queryKey: key, queryFn: ({ signal }) => fetch(signal), ...options });
}

const ALL = { limit: 1000 } as const;

export const useUsers = (options?: Options<User[]>) =>
  useGet(keys.users(ALL), (signal) => unwrap(api.GET('/users', { params: { query: ALL }, signal })), options);

export const useSessions = (query: SessionQuery, options?: Options<TrainingSession[]>) =>
  useGet(keys.sessions(query), (signal) => unwrap(api.GET('/sessions', { params: { query }, signal })), options);

export const useSession = (id: number) =>
  useGet(keys.session(id), (signal) =>
    unwrap(api.GET('/sessions/{session_id}', { params: { path: { session_id: id } }, signal })),
  );

export const useAttendance = (sessionId: number, options?: Options<AttendanceListing[]>) =>
  useGet(
    keys.attendance(sessionId),
    (signal) =>
      unwrap(api.GET('/attendance/session/{session_id}', { params: { path: { session_id: sessionId } }, signal })),
    options,
  );

/** A trainee's marks, ordered by marked_at: admins, the trainee's assigned trainers and the trainee themself. */
export const useTraineeAttendance = (traineeId: number, options?: Options<AttendanceListing[]>) =>
  useGet(
    keys.traineeAttendance(traineeId),
    (signal) =>
      unwrap(api.GET('/attendance/trainee/{trainee_id}', { params: { path: { trainee_id: traineeId } }, signal })),
    options,
  );

export const useTraineeProgress = (id: number) =>
  useGet(keys.traineeProgress(id), (signal) =>
    unwrap(api.GET('/progress/trainee/{trainee_id}', { params: { path: { trainee_id: id } }, signal })),
  );

export const useTrainerProgress = (id: number) =>
  useGet(keys.trainerProgress(id), (signal) =>
    unwrap(api.GET('/progress/trainer/{trainer_id}', { params: { path: { trainer_id: id } }, signal })),
  );

export const useTrainerTrainees = (id: number) =>
  useGet(keys.trainerTrainees(id), (signal) =>
    unwrap(api.GET('/trainers/{trainer_id}/trainees', { params: { path: { trainer_id: id } }, signal })),
  );

export const useAssignments = () =>
  useGet(keys.assignments(), (signal) => unwrap(api.GET('/assignments', { params: { query: ALL }, signal })));

export const useOverview = () =>
  useGet(keys.overview(), (signal) => unwrap(api.GET('/analytics/overview', { signal })));

export const useAudit = (query: AuditQuery) =>
  useGet(keys.audit(query), (signal) => unwrap(api.GET('/audit', { params: { query }, signal })));

export const useJobs = (query: JobQuery) =>
  useGet(keys.jobs(query), (signal) => unwrap(api.GET('/jobs', { params: { query }, signal })));

export const useApiClients = () => useGet(keys.apiClients(), (signal) => unwrap(api.GET('/api-clients', { signal })));

export const useWebhooks = () => useGet(keys.webhooks(), (signal) => unwrap(api.GET('/webhooks', { signal })));

export const useWebhookEventTypes = () =>
  useGet(keys.webhookEventTypes(), (signal) => unwrap(api.GET('/webhooks/event-types', { signal })));

export const useWebhookDeliveries = (id: number) =>
  useGet(keys.webhookDeliveries(id), (signal) =>
    unwrap(api.GET('/webhooks/{webhook_id}/deliveries', { params: { path: { webhook_id: id } }, signal })),
  );

/** Every room, by name (anyone signed in). */
export const useRooms = (options?: Options<Room[]>) =>
  useGet(keys.rooms(), (signal) => unwrap(api.GET('/rooms', { params: { query: ALL }, signal })), options);

/** Sessions open to the trainee's booking, and those they hold a place in. */
export const useAvailableSessions = (query: QueryOf<'/sessions/available'>, options?: Options<BookableSession[]>) =>
  useGet(
    keys.available(query),
    (signal) => unwrap(api.GET('/sessions/available', { params: { query }, signal })),
    options,
  );
