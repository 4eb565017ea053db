/**
 * Achievements and activity (API.md part two, "Skills, assessments, certificates": the
 * Activity and Achievements bullets): aliases of the generated schemas, calls through the
 * shared typed client `api`.
 */
import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components } from './schema';

type Schemas = components['schemas'];

export type Achievement = Schemas['AchievementOut'];
export type ActivityItem = Schemas['ActivityOut'];

const userId = (id: number) => ({ path: { user_id: id } });

export const achievements = {
  of: (id: number, signal?: AbortSignal) =>
    unwrap(api.GET('/users/{user_id}/achievements', { params: userId(id), signal })),
  activity: (id: number, page: { skip: number; limit: number }, signal?: AbortSignal) =>
    unwrap(api.GET('/users/{user_id}/activity', { params: { ...userId(id), query: page }, signal })),
};

/** Query keys: the first element is the family that live events invalidate (realtime/events.ts). */
export const achievementKeys = {
  achievements: (id: number) => ['achievements', id] as const,
  activity: (id: number, page: number) => ['activity', id, page] as const,
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;

export const useAchievements = (id: number, options?: Options<Achievement[]>) =>
  useQuery<Achievement[], Error, Achievement[], QueryKey>({
    queryKey: achievementKeys.achievements(id),
    queryFn: ({ signal }) => achievements.of(id, signal),
    ...options,
  });

export const ACTIVITY_PAGE = 20;

/** One page of the timeline; one row more than shown tells whether another page follows. */
export const useActivity = (id: number, page: number) =>
  useQuery<ActivityItem[], Error, ActivityItem[], QueryKey>({
    queryKey: achievementKeys.activity(id, page),
    queryFn: ({ signal }) =>
      achievements.activity(id, { skip: page * ACTIVITY_PAGE, limit: ACTIVITY_PAGE + 1 }, signal),
  });
