import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { BookableSession } from '../api/types';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { Toasts } from '../ui/toasts';
import { BookSessionsPage } from './BookSessionsPage';

const trainee = makeUser({ id: 5, username: 'pia', role: 'trainee', first_name: 'Pia', last_name: 'Doe' });

function bookable(id: number, overrides: Partial<BookableSession> = {}): BookableSession {
  return {
    id,
    title: `Session ${id}`,
    description: null,
    trainer: { id: 2, name: 'Tom Doe' },
    scheduled_date: '2099-05-04T09:00:00+00:00',
    duration_minutes: 60,
    status: 'scheduled',
    class_link: null,
    capacity: 10,
    self_booking: true,
    booking_closes_at: null,
    room_id: 1,
    places_left: 3,
    waitlist_count: 0,
    booking: null,
    waitlist_position: null,
    booking_open: true,
    ...overrides,
  };
}

function page() {
  return renderPage(
    <>
      <BookSessionsPage />
      <Toasts />
    </>,
  );
}

describe('BookSessionsPage', () => {
  it('books a place, then shows the trainee booked in with a way to cancel', async () => {
    signInAs(trainee);
    let booked = false;
    const { calls } = mockFetch([
      { path: '/rooms', body: [{ id: 1, name: 'Lab', location: null, capacity: 12, created_at: '', updated_at: '' }] },
      {
        path: '/sessions/available',
        respond: () => ({
          body: [
            booked
              ? bookable(7, { booking: 'enrolled', places_left: 2, class_link: 'https://meet.example.org/x' })
              : bookable(7),
          ],
        }),
      },
      {
        method: 'POST',
        path: '/sessions/7/book',
        respond: () => {
          booked = true;
          return {
            status: 201,
            body: {
              message: 'You are booked into Session 7',
              session_id: 7,
              booking: 'enrolled',
              waitlist_position: null,
            },
          };
        },
      },
    ]);
    page();
    const card = await screen.findByTestId('bookable-7');
    expect(card).toHaveTextContent('Tom Doe · Lab');
    expect(within(card).getByTestId('places')).toHaveTextContent('Places: 7 of 10 (3 left)');
    await userEvent.setup().click(within(card).getByRole('button', { name: 'Book Session 7' }));
    expect(await screen.findByText('You are booked into Session 7')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('booking-state')).toHaveTextContent('You are booked in.'));
    expect(screen.getByRole('button', { name: 'Cancel booking Session 7' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Join the class' })).toHaveAttribute('href', 'https://meet.example.org/x');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('offers the waitlist when full, shows the place in line and leaves it', async () => {
    signInAs(trainee);
    let waiting = false;
    let left = false;
    mockFetch([
      { path: '/rooms', body: [] },
      {
        path: '/sessions/available',
        respond: () => ({
          body: [
            waiting && !left
              ? bookable(8, { places_left: 0, waitlist_count: 3, booking: 'waitlisted', waitlist_position: 3 })
              : bookable(8, { places_left: 0, waitlist_count: 2 }),
          ],
        }),
      },
      {
        method: 'POST',
        path: '/sessions/8/book',
        respond: () => {
          waiting = true;
          return {
            status: 202,
            body: {
              message: 'Session 8 is full: you are number 3 on its waitlist',
              session_id: 8,
              booking: 'waitlisted',
              waitlist_position: 3,
            },
          };
        },
      },
      {
        method: 'DELETE',
        path: '/sessions/8/book',
        respond: () => {
          left = true;
          return { body: { message: 'You left the waitlist' } };
        },
      },
    ]);
    page();
    const card = await screen.findByTestId('bookable-8');
    expect(within(card).getByTestId('places')).toHaveTextContent('10 of 10 (full), 2 waiting');
    const user = userEvent.setup();
    await user.click(within(card).getByRole('button', { name: 'Join the waitlist Session 8' }));
    expect(await screen.findByText('On the waitlist')).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('booking-state')).toHaveTextContent('You are number 3 on the waitlist.'),
    );
    await user.click(screen.getByRole('button', { name: 'Leave the waitlist Session 8' }));
    expect(await screen.findByText('You left the waitlist')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByTestId('booking-state')).toBeNull());
  });

  it('says why a booking was refused, and offers nothing once booking closed', async () => {
    signInAs(trainee);
    mockFetch([
      { path: '/rooms', body: [] },
      {
        path: '/sessions/available',
        body: [bookable(9), bookable(10, { booking_open: false, booking: null })],
      },
      {
        method: 'POST',
        path: '/sessions/9/book',
        status: 409,
        body: { detail: 'Booking for this session closed at 2099-05-03T09:00:00+00:00' },
      },
    ]);
    page();
    const closed = await screen.findByTestId('bookable-10');
    expect(within(closed).getByTestId('booking-state')).toHaveTextContent('Booking has closed.');
    expect(within(closed).queryByRole('button')).toBeNull();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Book Session 9' }));
    expect(await screen.findByText('Could not book “Session 9”')).toBeInTheDocument();
    expect(screen.getByText('Booking for this session closed at 2099-05-03T09:00:00+00:00')).toBeInTheDocument();
  });
});
