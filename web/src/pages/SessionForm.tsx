import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { usePickableBatches } from '../api/batches';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { useRooms, useUsers } from '../api/queries';
import { SESSION_STATUSES, type SessionInput, type SessionStatus, type TrainingSession, type User } from '../api/types';
import { useMe } from '../auth/session';
import { describeTimeZone, fromLocalInput, toLocalInput } from '../lib/time';
import { markOwnSessionChange } from '../realtime/LiveProvider';
import { CheckboxPicker, Field, FormError, fieldErrors, SaveOrCancel } from '../ui/forms';
import { Loading } from '../ui/states';
import { BatchPicker } from './BatchPicker';

const FIELDS = [
  'title',
  'description',
  'trainer_id',
  'trainees',
  'scheduled_date',
  'duration_minutes',
  'status',
  'class_link',
  'capacity',
  'self_booking',
  'booking_closes_at',
  'room_id',
  'batch_ids',
];

export function TraineePicker({
  trainees,
  selected,
  onChange,
  errors,
}: {
  trainees: User[];
  selected: number[];
  onChange: (ids: number[]) => void;
  errors?: string[];
}) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = trainees.filter((t) => !needle || `${t.name} ${t.username} ${t.email}`.toLowerCase().includes(needle));
  return (
    <CheckboxPicker
      title="Trainees"
      items={shown}
      selected={selected}
      onChange={onChange}
      errors={errors}
      render={(t) => (
        <>
          {t.name || t.username} <span className="muted">({t.username})</span>
        </>
      )}
    >
      {trainees.length > 6 ? (
        <Field label="Filter trainees">
          {(p) => <input {...p} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />}
        </Field>
      ) : null}
      {trainees.length === 0 ? <p className="empty">There are no trainees yet.</p> : null}
    </CheckboxPicker>
  );
}

export function SessionForm({
  session,
  onSaved,
  onCancel,
}: {
  session?: TrainingSession;
  onSaved: (s: TrainingSession) => void;
  onCancel: () => void;
}) {
  const me = useMe();
  const users = useUsers();
  const [title, setTitle] = useState(session?.title ?? '');
  const [description, setDescription] = useState(session?.description ?? '');
  // An admin picks the trainer (no default: the admin is rarely the one who delivers it).
  const [trainerId, setTrainerId] = useState<string>(String(session?.trainer_id ?? (me.role === 'admin' ? '' : me.id)));
  const [when, setWhen] = useState(session ? toLocalInput(session.scheduled_date) : '');
  const [duration, setDuration] = useState(String(session?.duration_minutes ?? 60));
  const [status, setStatus] = useState<SessionStatus>(session?.status ?? 'scheduled');
  const [classLink, setClassLink] = useState(session?.class_link ?? '');
  const [trainees, setTrainees] = useState<number[]>(session?.trainees.map((t) => t.id) ?? []);
  const [batchIds, setBatchIds] = useState<number[]>([]);
  const batches = usePickableBatches();
  const [capacity, setCapacity] = useState(session?.capacity != null ? String(session.capacity) : '');
  const [selfBooking, setSelfBooking] = useState(session?.self_booking ?? false);
  const [closesAt, setClosesAt] = useState(session?.booking_closes_at ? toLocalInput(session.booking_closes_at) : '');
  const [roomId, setRoomId] = useState(session?.room_id != null ? String(session.room_id) : '');
  const [touched, setTouched] = useState(false);
  const rooms = useRooms();
  const room = (rooms.data ?? []).find((r) => String(r.id) === roomId);

  const trainers = useMemo(
    () =>
      (users.data ?? [])
        .filter((u) => u.role === 'trainer' || u.role === 'admin')
        // Trainers first: an admin delivers a session only now and then.
        .sort(
          (a, b) =>
            Number(a.role === 'admin') - Number(b.role === 'admin') ||
            (a.name || a.username).localeCompare(b.name || b.username),
        ),
    [users.data],
  );
  const traineeUsers = useMemo(() => (users.data ?? []).filter((u) => u.role === 'trainee'), [users.data]);

  const save = useMutation({
    mutationFn: () => {
      const body: SessionInput = {
        title: title.trim(),
        description: description.trim() || null,
        trainer_id: Number(trainerId),
        trainees,
        scheduled_date: fromLocalInput(when) ?? '',
        duration_minutes: Number(duration),
        status,
        class_link: classLink.trim() || null,
        // Left empty: no limit (in a room, as many as it seats).
        capacity: capacity.trim() ? Number(capacity) : null,
        self_booking: selfBooking,
        booking_closes_at: selfBooking ? (fromLocalInput(closesAt) ?? null) : null,
        room_id: roomId ? Number(roomId) : null,
        // Every member of these batches joins the trainees chosen.
        ...(batchIds.length ? { batch_ids: batchIds } : {}),
      };
      return unwrap(
        session
          ? api.PUT('/sessions/{session_id}', { params: { path: { session_id: session.id } }, body })
          : api.POST('/sessions', { body }),
      );
    },
    onSuccess: (saved) => {
      markOwnSessionChange(saved.id);
      onSaved(saved);
    },
  });

  const durationNumber = Number(duration);
  const capacityNumber = Number(capacity);
  const capacityWrong =
    capacity.trim() !== '' &&
    (!Number.isInteger(capacityNumber) || capacityNumber < 1 || capacityNumber > (room?.capacity ?? 1000));
  const local = {
    capacity:
      touched && capacityWrong
        ? [room ? `Between 1 and ${room.capacity} (what ${room.name} seats).` : 'Between 1 and 1000.']
        : [],
    title: touched && !title.trim() ? ['Give the session a title.'] : [],
    trainer: touched && !trainerId ? ['Choose the trainer who delivers it.'] : [],
    when: touched && !fromLocalInput(when) ? ['Choose a date and time.'] : [],
    duration:
      touched && (!Number.isInteger(durationNumber) || durationNumber < 1 || durationNumber > 1440)
        ? ['Between 1 and 1440 minutes.']
        : [],
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (
      !title.trim() ||
      !trainerId ||
      !fromLocalInput(when) ||
      !Number.isInteger(durationNumber) ||
      durationNumber < 1 ||
      durationNumber > 1440 ||
      capacityWrong
    )
      return;
    save.mutate();
  };
  const error = save.error;
  const conflict = error instanceof ApiError && error.status === 409;

  if (users.isPending) return <Loading />;

  return (
    <form onSubmit={submit} className="stack" noValidate>
      <Field label="Title" errors={[...local.title, ...fieldErrors(error, 'title')]}>
        {(p) => <input {...p} required value={title} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <Field label="Description" errors={fieldErrors(error, 'description')}>
        {(p) => <textarea {...p} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      {me.role === 'admin' ? (
        <Field label="Trainer" errors={[...local.trainer, ...fieldErrors(error, 'trainer_id')]}>
          {(p) => (
            <select {...p} required value={trainerId} onChange={(e) => setTrainerId(e.target.value)}>
              {trainerId ? null : (
                <option value="" disabled>
                  Choose a trainer…
                </option>
              )}
              {trainers.map((t) => (
                <option key={t.id} value={t.id}>
                  {`${t.name || t.username}${t.role === 'admin' ? ' (admin)' : ''}`}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      <div className="grid-2">
        <Field
          label="Starts at"
          hint={`Your time zone: ${describeTimeZone()}`}
          errors={[...local.when, ...fieldErrors(error, 'scheduled_date')]}
        >
          {(p) => (
            <input {...p} type="datetime-local" required value={when} onChange={(e) => setWhen(e.target.value)} />
          )}
        </Field>
        <Field label="Duration (minutes)" errors={[...local.duration, ...fieldErrors(error, 'duration_minutes')]}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={1}
              max={1440}
              step={5}
              required
              value={duration}
              onChange={(e) => setDuration(e.target.value)}
            />
          )}
        </Field>
      </div>
      <div className="grid-2">
        <Field label="Status" errors={fieldErrors(error, 'status')}>
          {(p) => (
            <select {...p} value={status} onChange={(e) => setStatus(e.target.value as SessionStatus)}>
              {SESSION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label="Class link"
          hint="Where trainees join, e.g. a video call."
          errors={fieldErrors(error, 'class_link')}
        >
          {(p) => (
            <input
              {...p}
              type="url"
              placeholder="https://…"
              value={classLink}
              onChange={(e) => setClassLink(e.target.value)}
            />
          )}
        </Field>
      </div>
      <fieldset className="stack">
        <legend>Places and booking</legend>
        <div className="grid-2">
          <Field
            label="Room"
            hint={
              room
                ? `${room.name} seats ${room.capacity}${room.location ? ` (${room.location})` : ''}.`
                : 'Online or elsewhere: no room.'
            }
            errors={fieldErrors(error, 'room_id')}
          >
            {(p) => (
              <select {...p} value={roomId} onChange={(e) => setRoomId(e.target.value)}>
                <option value="">No room</option>
                {(rooms.data ?? []).map((r) => (
                  <option key={r.id} value={r.id}>
                    {`${r.name} (${r.capacity} places)`}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Capacity"
            hint={room ? `Empty: as many as the room seats (${room.capacity}).` : 'Empty: no limit.'}
            errors={[...local.capacity, ...fieldErrors(error, 'capacity')]}
          >
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={room?.capacity ?? 1000}
                value={capacity}
                onChange={(e) => setCapacity(e.target.value)}
              />
            )}
          </Field>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={selfBooking} onChange={(e) => setSelfBooking(e.target.checked)} /> Trainees
          may book a place themselves
        </label>
        {selfBooking ? (
          <Field
            label="Booking closes at"
            hint="Empty: when the session starts."
            errors={fieldErrors(error, 'booking_closes_at')}
          >
            {(p) => (
              <input {...p} type="datetime-local" value={closesAt} onChange={(e) => setClosesAt(e.target.value)} />
            )}
          </Field>
        ) : null}
      </fieldset>
      <TraineePicker
        trainees={traineeUsers}
        selected={trainees}
        onChange={setTrainees}
        errors={fieldErrors(error, 'trainees')}
      />
      {batches.data?.length ? (
        <BatchPicker
          batches={batches.data}
          selected={batchIds}
          onChange={setBatchIds}
          errors={fieldErrors(error, 'batch_ids')}
        />
      ) : null}
      {error ? (
        <div>
          {conflict ? <p className="conflict-title">This session cannot be booked at that time:</p> : null}
          <FormError error={error} knownFields={FIELDS} />
          {conflict ? (
            <p className="hint">Choose another time, trainer or room, or change the other session first.</p>
          ) : null}
        </div>
      ) : null}
      <SaveOrCancel pending={save.isPending} label={session ? 'Save session' : 'Create session'} onCancel={onCancel} />
    </form>
  );
}
