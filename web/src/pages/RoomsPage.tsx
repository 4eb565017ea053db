import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, unwrap } from '../api/client';
import { useRooms } from '../api/queries';
import type { Room } from '../api/types';
import { DeleteDialog, EditDeleteButtons, EditDialog, useCatalogue } from '../ui/Catalogue';
import { DataTable } from '../ui/DataTable';
import { Field, FormError, fieldErrors, SaveOrCancel } from '../ui/forms';
import { PageHeader } from '../ui/PageHeader';
import { QueryView } from '../ui/states';

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
  const rooms = useRooms();
  const catalogue = useCatalogue<Room>({
    queryKey: ['rooms'],
    remove: (room) => unwrap(api.DELETE('/rooms/{room_id}', { params: { path: { room_id: room.id } } })),
    label: (room) => `Room ${room.name}`,
  });

  return (
    <div>
      <PageHeader
        title="Rooms"
        actions={
          <button type="button" className="button button-primary" onClick={() => catalogue.setEditing('new')}>
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
                  <EditDeleteButtons
                    name={room.name}
                    onEdit={() => catalogue.setEditing(room)}
                    onDelete={() => catalogue.setDeleting(room)}
                  />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryView>
      <EditDialog catalogue={catalogue} newTitle="Add a room" editTitle={(room) => `Edit ${room.name}`}>
        {(room) => <RoomForm room={room} onCancel={() => catalogue.setEditing(null)} onSaved={catalogue.saved} />}
      </EditDialog>
      <DeleteDialog catalogue={catalogue} title="Delete this room?" action="Delete room">
        {(room) => (
          <p>
            “{room.name}” will be deleted. A room that sessions still to come are held in is not: move them to another
            room or cancel them first.
          </p>
        )}
      </DeleteDialog>
    </div>
  );
}
