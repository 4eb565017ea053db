import type { Batch } from '../api/batches';
import { CheckboxPicker } from '../ui/forms';

/** Choose batches (cohorts): every member of each is enrolled. */
export function BatchPicker({
  batches,
  selected,
  onChange,
  errors,
}: {
  batches: Batch[];
  selected: number[];
  onChange: (ids: number[]) => void;
  errors?: string[];
}) {
  return (
    <CheckboxPicker
      title="Batches"
      note=": every member is enrolled"
      testId="batch-picker"
      items={batches}
      selected={selected}
      onChange={onChange}
      errors={errors}
      render={(b) => (
        <>
          {b.name}{' '}
          <span className="muted">
            ({b.code}, {b.trainee_count} trainees)
          </span>
        </>
      )}
    />
  );
}
