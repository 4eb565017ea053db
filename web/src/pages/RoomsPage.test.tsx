import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Room } from '../api/types';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { RoomsPage } from './RoomsPage';

const admin = makeUser();

function room(id: number, name: string, capacity: number, location: string | null = null): Room {
  return {
    id,
    name,
    location,
    capacity,
    created_at: '2026-05-01T09:00:00+00:00',
    updated_at: '2026-05-01T09:00:00+00:00',
  };
}

function page() {
  return renderPage(
    <>
      <RoomsPage />
      <Toasts />
    </>,
  );
}

describe('RoomsPage', () => {
  it('lists the rooms, adds one and edits another', async () => {
    signInAs(admin);
    const rooms = [room(1, 'Hall', 40, 'Building A')];
    const { calls } = mockFetch([
      { path: '/rooms', respond: () => ({ body: rooms }) },
      {
        method: 'POST',
        path: '/rooms',
        respond: ({ body }) => {
          const made = room(2, (body as Room).name, (body as Room).capacity, (body as Room).location);
          rooms.push(made);
          return { status: 201, body: made };
        },
      },
      {
        method: 'PUT',
        path: '/rooms/1',
        respond: ({ body }) => {
          rooms[0] = { ...rooms[0], ...(body as Partial<Room>) };
          return { body: rooms[0] };
        },
      },
    ]);
    page();
    const table = await screen.findByTestId('rooms-table');
    expect(within(table).getByText('Building A')).toBeInTheDocument();
    const user = userEvent.setup();

    await user.click(screen.getByRole('button', { name: 'Add room' }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Add room' }));
    expect(await screen.findByText('Give the room a name.')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Name'), 'Lab');
    await user.type(within(dialog).getByLabelText('Seats'), '12');
    await user.click(within(dialog).getByRole('button', { name: 'Add room' }));
    expect(await screen.findByText('Room Lab saved')).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([
      { name: 'Lab', location: null, capacity: 12 },
    ]);
    await waitFor(() => expect(within(screen.getByTestId('rooms-table')).getAllByRole('row')).toHaveLength(3));

    await user.click(screen.getByRole('button', { name: 'Edit Hall' }));
    const seats = screen.getByLabelText('Seats');
    await user.clear(seats);
    await user.type(seats, '30');
    await user.click(screen.getByRole('button', { name: 'Save room' }));
    expect(await screen.findByText('Room Hall saved')).toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({ name: 'Hall', location: 'Building A', capacity: 30 });
  });

  it('deletes a room once the admin confirms', async () => {
    signInAs(admin);
    let rooms = [room(1, 'Hall', 40)];
    const { calls } = mockFetch([
      { path: '/rooms', respond: () => ({ body: rooms }) },
      {
        method: 'DELETE',
        path: '/rooms/1',
        respond: () => {
          rooms = [];
          return { status: 204 };
        },
      },
    ]);
    page();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete Hall' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this room?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Delete Hall' }));
    await user.click(await screen.findByRole('button', { name: 'Delete room' }));
    expect(await screen.findByText('Room Hall deleted')).toBeInTheDocument();
    expect(await screen.findByText('No rooms yet.')).toBeInTheDocument();
  });

  it('shows why a room in use cannot be deleted', async () => {
    signInAs(admin);
    mockFetch([
      { path: '/rooms', body: [room(1, 'Hall', 40)] },
      {
        method: 'DELETE',
        path: '/rooms/1',
        status: 409,
        body: {
          detail:
            'Sessions still to come are held in this room: 4 "Forklift basics"; move them to another room or cancel them first',
        },
      },
    ]);
    page();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete Hall' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete this room?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete room' }));
    const refusal = await within(dialog).findByRole('alert');
    expect(refusal).toHaveTextContent('4 "Forklift basics"; move them to another room or cancel them first');
    expect(screen.getByRole('dialog', { name: 'Delete this room?' })).toBeInTheDocument();
  });
});
