/**
 * Cohorts (API.md part two, "Cohorts (batches)"): the resource types are aliases of the
 * generated schemas, the calls go through the shared typed client `api`.
 */
import { type QueryKey, type UseQueryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Batch = Schemas['BatchOut'];
export type NewBatchInput = Schemas['BatchCreateIn'];
export type BatchInput = Schemas['BatchUpdateIn'];
export type MembersAdded = Schemas['BatchTraineesAddedOut'];
export type BatchListQuery = NonNullable<paths['/batches']['get']['parameters']['query']>;
type PageQuery = NonNullable<paths['/batches/{batch_id}/trainees']['get']['parameters']['query']>;

const batchId = (id: number) => ({ params: { path: { batch_id: id } } });

export const batches = {
  list: (query: BatchListQuery, signal?: AbortSignal) => unwrap(api.GET('/batches', { params: { query }, signal })),
  get: (id: number, signal?: AbortSignal) => unwrap(api.GET('/batches/{batch_id}', { ...batchId(id), signal })),
  create: (body: NewBatchInput) => unwrap(api.POST('/batches', { body })),
  update: (id: number, body: BatchInput) => unwrap(api.PUT('/batches/{batch_id}', { ...batchId(id), body })),
  remove: (id: number) => unwrap(api.DELETE('/batches/{batch_id}', batchId(id))),
  trainees: (id: number, query: PageQuery, signal?: AbortSignal) =>
    unwrap(api.GET('/batches/{batch_id}/trainees', { params: { path: { batch_id: id }, query }, signal })),
  addTrainees: (id: number, traineeIds: number[]) =>
    unwrap(api.POST('/batches/{batch_id}/trainees', { ...batchId(id), body: { trainee_ids: traineeIds } })),
  removeTrainee: (id: number, traineeId: number) =>
    unwrap(
      api.DELETE('/batches/{batch_id}/trainees/{trainee_id}', {
        params: { path: { batch_id: id, trainee_id: traineeId } },
      }),
    ),
};

/** Query keys: the first element is the family that live events invalidate (realtime/events.ts). */
export const batchKeys = {
  list: (query: BatchListQuery) => ['batches', query] as const,
  batch: (id: number) => ['batch', id] as const,
  trainees: (id: number) => ['batch-trainees', id] as const,
};

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'>;

export const useBatches = (query: BatchListQuery, options?: Options<Batch[]>) =>
  useQuery<Batch[], Error, Batch[], QueryKey>({
    queryKey: batchKeys.list(query),
    queryFn: ({ signal }) => batches.list(query, signal),
    ...options,
  });

export const useBatch = (id: number, options?: Options<Batch>) =>
  useQuery<Batch, Error, Batch, QueryKey>({
    queryKey: batchKeys.batch(id),
    queryFn: ({ signal }) => batches.get(id, signal),
    ...options,
  });

/** A batch's members, all of them (a batch holds at most a few hundred). */
export const useBatchTrainees = (id: number, options?: Options<Schemas['UserOut'][]>) =>
  useQuery<Schemas['UserOut'][], Error, Schemas['UserOut'][], QueryKey>({
    queryKey: batchKeys.trainees(id),
    queryFn: ({ signal }) => batches.trainees(id, { limit: 1000 }, signal),
    ...options,
  });

/**
 * The batches the caller may enrol (admins all, trainers those they follow), for the pickers
 * of the course enrolment and session forms; an error (a trainee, say) hides the picker.
 */
export const usePickableBatches = () =>
  useQuery<Batch[], Error, Batch[], QueryKey>({
    queryKey: batchKeys.list({ limit: 1000 }),
    queryFn: ({ signal }) => batches.list({ limit: 1000 }, signal),
    retry: false,
    staleTime: 60_000,
  });
