import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type Batch, batches } from '../api/batches';
import { useUsers } from '../api/queries';
import { CheckboxPicker, Field, FormError, fieldErrors, SaveOrCancel } from '../ui/forms';

const FIELDS = ['code', 'name', 'description', 'starts_on', 'ends_on', 'trainer_ids'];

/** Create a batch, or edit one (admins): its code is unique, case aside; it ends no earlier than it starts. */
export function BatchForm({
  batch,
  onSaved,
  onCancel,
}: {
  batch?: Batch;
  onSaved: (batch: Batch) => void;
  onCancel: () => void;
}) {
  const users = useUsers();
  const [code, setCode] = useState(batch?.code ?? '');
  const [name, setName] = useState(batch?.name ?? '');
  const [description, setDescription] = useState(batch?.description ?? '');
  const [startsOn, setStartsOn] = useState(batch?.starts_on ?? '');
  const [endsOn, setEndsOn] = useState(batch?.ends_on ?? '');
  const [trainerIds, setTrainerIds] = useState<number[]>(batch?.trainer_ids ?? []);
  const [touched, setTouched] = useState(false);
  const trainers = (users.data ?? []).filter((u) => u.role === 'trainer');
  const save = useMutation({
    mutationFn: () => {
      const body = {
        code: code.trim(),
        name: name.trim(),
        description: description.trim() || null,
        starts_on: startsOn || null,
        ends_on: endsOn || null,
        trainer_ids: trainerIds,
      };
      return batch ? batches.update(batch.id, body) : batches.create(body);
    },
    onSuccess: onSaved,
  });
  const backwards = Boolean(startsOn && endsOn && endsOn < startsOn);
  const local = {
    code: touched && !code.trim() ? ['Give the batch a code, e.g. SPRING-26.'] : [],
    name: touched && !name.trim() ? ['Give the batch a name.'] : [],
    ends: touched && backwards ? ['The batch cannot end before it starts.'] : [],
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!code.trim() || !name.trim() || backwards) return;
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="stack" noValidate>
      <div className="grid-2">
        <Field label="Code" hint="Unique, e.g. SPRING-26." errors={[...local.code, ...fieldErrors(save.error, 'code')]}>
          {(p) => <input {...p} required value={code} onChange={(e) => setCode(e.target.value)} />}
        </Field>
        <Field label="Name" errors={[...local.name, ...fieldErrors(save.error, 'name')]}>
          {(p) => <input {...p} required value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
      </div>
      <Field label="Description" errors={fieldErrors(save.error, 'description')}>
        {(p) => <textarea {...p} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <div className="grid-2">
        <Field label="Starts on" errors={fieldErrors(save.error, 'starts_on')}>
          {(p) => <input {...p} type="date" value={startsOn} onChange={(e) => setStartsOn(e.target.value)} />}
        </Field>
        <Field label="Ends on" errors={[...local.ends, ...fieldErrors(save.error, 'ends_on')]}>
          {(p) => <input {...p} type="date" value={endsOn} onChange={(e) => setEndsOn(e.target.value)} />}
        </Field>
      </div>
      <CheckboxPicker
        title="Trainers"
        items={trainers}
        selected={trainerIds}
        onChange={setTrainerIds}
        render={(t) => t.name || t.username}
      >
        {trainers.length === 0 ? <p className="empty">There are no trainers yet.</p> : null}
      </CheckboxPicker>
      {save.error ? <FormError error={save.error} knownFields={FIELDS} /> : null}
      <SaveOrCancel pending={save.isPending} label={batch ? 'Save batch' : 'Create batch'} onCancel={onCancel} />
    </form>
  );
}

/** "1 Mar 2026 – 30 Jun 2026", or what is known of it. */
export function describeDates(batch: Pick<Batch, 'starts_on' | 'ends_on'>): string {
  const day = (value: string) =>
    new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${value}T00:00:00Z`));
  if (batch.starts_on && batch.ends_on) return `${day(batch.starts_on)} – ${day(batch.ends_on)}`;
  if (batch.starts_on) return `from ${day(batch.starts_on)}`;
  if (batch.ends_on) return `until ${day(batch.ends_on)}`;
  return 'No dates';
}
