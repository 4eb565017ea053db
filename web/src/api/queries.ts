import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { api, type Query } from './client';
import type {
  Assignment,
  AttendanceListing,
  AuditEntry,
  Overview,
  TraineeProgress,
  TrainerTrainee,
  TrainingSession,
  User,
} from './types';

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
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;

function useGet<T>(key: QueryKey, path: string, query?: Query, options?: Options<T>) {
  return useQuery<T, Error, T, QueryKey>({
    queryKey: key,
    queryFn: ({ signal }) => api.get<T>(path, query, signal),
    ...options,
  });
}

export const useUsers = (options?: Options<User[]>) =>
  useGet<User[]>(keys.users({ limit: 1000 }), '/users/', { limit: 1000 }, options);

export const useSessions = (query: Query, options?: Options<TrainingSession[]>) =>
  useGet<TrainingSession[]>(keys.sessions(query), '/sessions/', query, options);

export const useSession = (id: number) => useGet<TrainingSession>(keys.session(id), `/sessions/${id}`);

export const useAttendance = (sessionId: number, options?: Options<AttendanceListing[]>) =>
  useGet<AttendanceListing[]>(keys.attendance(sessionId), `/attendance/session/${sessionId}`, undefined, options);

/** A trainee's marks, ordered by marked_at: admins, the trainee's assigned trainers and the trainee themself. */
export const useTraineeAttendance = (traineeId: number, options?: Options<AttendanceListing[]>) =>
  useGet<AttendanceListing[]>(
    keys.traineeAttendance(traineeId),
    `/attendance/trainee/${traineeId}`,
    undefined,
    options,
  );

export const useTraineeProgress = (id: number) =>
  useGet<TraineeProgress>(keys.traineeProgress(id), `/progress/trainee/${id}`);

export const useTrainerProgress = (id: number) =>
  useGet<TraineeProgress[]>(keys.trainerProgress(id), `/progress/trainer/${id}`);

export const useTrainerTrainees = (id: number) =>
  useGet<TrainerTrainee[]>(keys.trainerTrainees(id), `/trainers/${id}/trainees`);

export const useAssignments = () => useGet<Assignment[]>(keys.assignments(), '/assignments/', { limit: 1000 });

export const useOverview = () => useGet<Overview>(keys.overview(), '/analytics/overview');

export const useAudit = (query: Query) => useGet<AuditEntry[]>(keys.audit(query), '/audit/', query);
