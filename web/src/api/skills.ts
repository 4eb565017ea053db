/**
 * Skills (API.md part two, "Skills, assessments, certificates"): the catalogue, a user's
 * skills and the skills matrix; the resource types are aliases of the generated schemas.
 */
import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { api, downloadFile, unwrap } from './client';
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Skill = Schemas['SkillOut'];
export type NewSkillInput = Schemas['SkillCreateIn'];
export type SkillInput = Schemas['SkillUpdateIn'];
export type UserSkill = Schemas['UserSkillOut'];
export type SkillMatrix = Schemas['SkillMatrixOut'];
export type SkillGrant = Schemas['SkillGrantOut'];
export type SkillListQuery = NonNullable<paths['/skills']['get']['parameters']['query']>;
export type MatrixQuery = NonNullable<paths['/skills/matrix']['get']['parameters']['query']>;

export const LEVELS = [1, 2, 3, 4, 5] as const;

const skillId = (id: number) => ({ params: { path: { skill_id: id } } });
const userId = (id: number) => ({ params: { path: { user_id: id } } });

export const skills = {
  list: (query: SkillListQuery, signal?: AbortSignal) => unwrap(api.GET('/skills', { params: { query }, signal })),
  create: (body: NewSkillInput) => unwrap(api.POST('/skills', { body })),
  update: (id: number, body: SkillInput) => unwrap(api.PUT('/skills/{skill_id}', { ...skillId(id), body })),
  remove: (id: number) => unwrap(api.DELETE('/skills/{skill_id}', skillId(id))),
  ofUser: (id: number, signal?: AbortSignal) => unwrap(api.GET('/users/{user_id}/skills', { ...userId(id), signal })),
  award: (id: number, skill: number, level: number) =>
    unwrap(api.POST('/users/{user_id}/skills', { ...userId(id), body: { skill_id: skill, level } })),
  matrix: (query: MatrixQuery, signal?: AbortSignal) =>
    unwrap(api.GET('/skills/matrix', { params: { query }, signal })),
  /** The matrix as a file (pdf, csv or xlsx), with the same filters; answers the file's name. */
  downloadMatrix: (query: Omit<MatrixQuery, 'skip' | 'limit'>, format: string) => {
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    return downloadFile(
      api.GET('/reports/skills-matrix', {
        params: { query: { ...query, format } },
        parseAs: 'blob',
        headers: { Accept: '*/*' },
      }),
      `skills-matrix-${today}.${format}`,
    );
  },
};

/** Query keys: the first element is the family that live events invalidate (realtime/events.ts). */
export const skillKeys = {
  list: (query: SkillListQuery) => ['skills', query] as const,
  ofUser: (id: number) => ['user-skills', id] as const,
  matrix: (query: MatrixQuery) => ['skill-matrix', query] as const,
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;

export const useSkills = (query: SkillListQuery, options?: Options<Skill[]>) =>
  useQuery<Skill[], Error, Skill[], QueryKey>({
    queryKey: skillKeys.list(query),
    queryFn: ({ signal }) => skills.list(query, signal),
    ...options,
  });

export const useUserSkills = (id: number, options?: Options<UserSkill[]>) =>
  useQuery<UserSkill[], Error, UserSkill[], QueryKey>({
    queryKey: skillKeys.ofUser(id),
    queryFn: ({ signal }) => skills.ofUser(id, signal),
    ...options,
  });

export const useSkillMatrix = (query: MatrixQuery, options?: Options<SkillMatrix>) =>
  useQuery<SkillMatrix, Error, SkillMatrix, QueryKey>({
    queryKey: skillKeys.matrix(query),
    queryFn: ({ signal }) => skills.matrix(query, signal),
    ...options,
  });
