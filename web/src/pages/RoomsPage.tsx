import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { describeError } from '../api/errors';
import { useRooms } from '../api/queries';
import type { Room } from '../api/types';
import { DataTable } from '../ui/DataTable';
import { Modal } from '../ui/Dialog';
import { Field, FormError, fieldErrors, SaveOrCancel } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';
import { showToast } from '../ui/toasts';

const FIELDS = ['name', 'location', 'capacity'];

function RoomForm({ room, onSaved, onCancel }: { room?: Room; onSaved: (room: Room) => void; onCancel: () => void }) {
  const [name, setName] = useState(room?.name ?? '');
  const [location, setLocation] = useState(room?.location ?? '');
  const [capacity, setCapacity] = useState(room ? String(room.capacity) : '');
  const [touched, setTouched] = useState(false);
  const save = useMutation({
    mutationFn: () => {
      const body = { name: name.trim(), location: location.trim(), capacity: Number(capacity) };
      return unwrap(
        room
          ? api.PUT('/rooms/{room_id}', { params: { path: { room_id: room.id } }, body })
          : api.POST('/rooms', { body: { ...body, location: body.location || null } }),
      );
    },
    onSuccess: onSaved,
  });
  const seats = Number(capacity);
  const local = {
    name: touched && !name.trim() ? ['Give the room a name.'] : [],
    capacity: touched && (!Number.isInteger(seats) || seats < 1) ? ['How many people it seats: 1 or more.'] : [],
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!name.trim() || !Number.isInteger(seats) || seats < 1) return;
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="stack" noValidate>
      <Field label="Name" errors={[...local.name, ...fieldErrors(save.error, 'name')]}>
        {(p) => <input {...p} required value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <Field label="Location" hint="Building, floor…" errors={fieldErrors(save.error, 'location')}>
        {(p) => <input {...p} value={location} onChange={(e) => setLocation(e.target.value)} />}
      </Field>
      <Field label="Seats" errors={[...local.capacity, ...fieldErrors(save.error, 'capacity')]}>
        {(p) => (
          <input {...p} type="number" min={1} required value={capacity} onChange={(e) => setCapacity(e.target.value)} />
        )}
      </Field>
      {save.error ? <FormError error={save.error} knownFields={FIELDS} /> : null}
      <SaveOrCancel pending={save.isPending} label={room ? 'Save room' : 'Add room'} onCancel={onCancel} />
    </form>
  );
}

/** Admins: the rooms sessions held in person take (one session at a time, no more than it seats). */
export function RoomsPage() {
  const queryClient = useQueryClient();
  const rooms = useRooms();
  const [editing, setEditing] = useState<Room | 'new' | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['rooms'] });
  const remove = useMutation({
    mutationFn: (room: Room) => unwrap(api.DELETE('/rooms/{room_id}', { params: { path: { room_id: room.id } } })),
    onSuccess: (_answer, room) => {
      showToast({ title: `Room ${room.name} deleted`, tone: 'success' });
      refresh();
    },
    onError: (error, room) =>
      showToast({ title: `Could not delete ${room.name}`, body: describeError(error), tone: 'error' }),
  });

  return (
    <div>
      <PageHeader
        title="Rooms"
        actions={
          <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
            Add room
          </button>
        }
      >
        <p className="muted">
          A room holds one session at a time, and a session in it takes no more trainees than it seats.
        </p>
      </PageHeader>
      <QueryView query={rooms} empty="No rooms yet." loadingLabel="Loading rooms…">
        {(rows) => (
          <DataTable caption="Rooms" testId="rooms-table" columns={['Name', 'Location', 'Seats']} actions>
            {rows.map((room) => (
              <tr key={room.id}>
                <td data-label="Name">{room.name}</td>
                <td data-label="Location">{room.location ?? '—'}</td>
                <td data-label="Seats">{room.capacity}</td>
                <td data-label="Actions">
                  <div className="button-row">
                    <button type="button" className="button button-small" onClick={() => setEditing(room)}>
                      Edit <span className="visually-hidden">{room.name}</span>
                    </button>
                    <button
                      type="button"
                      className="button button-small"
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(room)}
                    >
                      Delete <span className="visually-hidden">{room.name}</span>
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      <Modal
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing === 'new' || editing === null ? 'Add a room' : `Edit ${editing.name}`}
      >
        {editing !== null ? (
          <RoomForm
            room={editing === 'new' ? undefined : editing}
            onCancel={() => setEditing(null)}
            onSaved={(saved) => {
              showToast({ title: `Room ${saved.name} saved`, tone: 'success' });
              refresh();
              setEditing(null);
            }}
          />
        ) : null}
      </Modal>
    </div>
  );
}
