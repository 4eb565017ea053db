import type { Batch } from '../api/batches';

export function makeBatch(overrides: Partial<Batch> = {}): Batch {
  return {
    id: 3,
    code: 'SPRING-26',
    name: 'Spring intake',
    description: null,
    starts_on: '2026-03-01',
    ends_on: '2026-06-30',
    trainee_count: 0,
    trainer_ids: [],
    course_ids: [],
    created_at: '2026-05-01T09:00:00+00:00',
    updated_at: '2026-05-01T09:00:00+00:00',
    ...overrides,
  };
}
