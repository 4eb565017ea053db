import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { describeMinutes } from '../api/notifications';
import { makeUser, mockFetch, renderPage, signInAs } from '../test/utils';
import { minutesOf, PreferencesPage, toReminder } from './PreferencesPage';

const tia = makeUser({ id: 7, role: 'trainee', username: 'tia' });
const DEFAULTS = {
  email: { session_changes: true, reminders: true, course_updates: true },
  reminder_minutes: [1440, 60],
};

describe('reminder units', () => {
  it('shows minutes in the largest unit they divide into, and back', () => {
    expect(toReminder(1440, 0)).toEqual({ key: 0, amount: '1', unit: 'days' });
    expect(toReminder(10080, 1)).toMatchObject({ amount: '1', unit: 'weeks' });
    expect(toReminder(90, 2)).toMatchObject({ amount: '90', unit: 'minutes' });
    expect(minutesOf({ key: 0, amount: '2', unit: 'hours' })).toBe(120);
    expect(minutesOf({ key: 0, amount: '1.5', unit: 'hours' })).toBeNull();
    expect(describeMinutes(1530)).toBe('1 day 1 hour 30 minutes');
    expect(describeMinutes(60)).toBe('1 hour');
  });
});

describe('PreferencesPage', () => {
  it('shows the choices, and saves changed toggles and reminders through PUT /me/preferences', async () => {
    signInAs(tia);
    const { calls } = mockFetch([
      { path: '/me/preferences', body: DEFAULTS },
      {
        method: 'PUT',
        path: '/me/preferences',
        respond: ({ body }) => ({ body: { ...(body as object), reminder_minutes: [1440, 120, 60] } }),
      },
    ]);
    renderPage(<PreferencesPage />, '/preferences');
    const user = userEvent.setup();
    const reminders = await screen.findByRole('checkbox', { name: 'Reminders' });
    expect(reminders).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Session changes' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Course updates' })).toBeChecked();
    expect(screen.getByLabelText('Reminder 1: how many')).toHaveValue(1);
    expect(screen.getByLabelText('Reminder 1: unit')).toHaveValue('days');
    expect(screen.getByLabelText('Reminder 2: unit')).toHaveValue('hours');

    await user.click(screen.getByRole('checkbox', { name: 'Course updates' }));
    await user.click(screen.getByRole('button', { name: 'Add a reminder' }));
    const third = screen.getByLabelText('Reminder 3: how many');
    await user.clear(third);
    await user.type(third, '2');
    expect(screen.getAllByTestId('reminder')[2]).toHaveTextContent('(2 hours)');
    await user.click(screen.getByRole('button', { name: 'Save preferences' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      email: { session_changes: true, reminders: true, course_updates: false },
      reminder_minutes: [1440, 60, 120],
    });
    // The form shows what the server kept (sorted), in the order it answered.
    await waitFor(() => expect(screen.getByLabelText('Reminder 2: unit')).toHaveValue('hours'));
    expect(screen.getByLabelText('Reminder 2: how many')).toHaveValue(2);
    expect(screen.getByRole('checkbox', { name: 'Course updates' })).not.toBeChecked();
    expect(screen.getByRole('status')).toHaveTextContent('Preferences saved.');
  });

  it('removes reminders and allows at most five', async () => {
    signInAs(tia);
    const { calls } = mockFetch([
      { path: '/me/preferences', body: DEFAULTS },
      { method: 'PUT', path: '/me/preferences', respond: ({ body }) => ({ body }) },
    ]);
    renderPage(<PreferencesPage />, '/preferences');
    const user = userEvent.setup();
    const add = await screen.findByRole('button', { name: 'Add a reminder' });
    for (let i = 0; i < 3; i++) await user.click(add);
    expect(screen.getAllByTestId('reminder')).toHaveLength(5);
    expect(add).toBeDisabled();
    expect(screen.getByText('That is the most reminders you can have.')).toBeInTheDocument();
    for (let i = 0; i < 5; i++) await user.click(screen.getByRole('button', { name: 'Remove reminder 1' }));
    expect(screen.getByText(/No reminders/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save preferences' }));
    await waitFor(() => expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({ reminder_minutes: [] }));
  });

  it('refuses a reminder out of range before asking, and shows the field errors of a 422', async () => {
    signInAs(tia);
    const { calls } = mockFetch([
      { path: '/me/preferences', body: DEFAULTS },
      {
        method: 'PUT',
        path: '/me/preferences',
        status: 422,
        body: {
          detail: 'Validation failed',
          errors: [{ field: 'reminder_minutes', message: 'At most 5 reminders per session' }],
        },
      },
    ]);
    renderPage(<PreferencesPage />, '/preferences');
    const user = userEvent.setup();
    const unit = await screen.findByLabelText('Reminder 1: unit');
    const amount = screen.getByLabelText('Reminder 1: how many');
    await user.clear(amount);
    await user.type(amount, '2');
    await user.selectOptions(unit, 'weeks');
    await user.click(screen.getByRole('button', { name: 'Save preferences' }));
    expect(await screen.findByText(/must be a whole number/)).toBeInTheDocument();
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);

    await user.selectOptions(unit, 'days');
    await user.click(screen.getByRole('button', { name: 'Save preferences' }));
    const group = screen.getByRole('group', { name: 'Reminders before a session starts' });
    expect(await within(group).findByText('At most 5 reminders per session')).toBeInTheDocument();
    expect(screen.queryByText(/must be a whole number/)).not.toBeInTheDocument();
    expect(calls.find((c) => c.method === 'PUT')?.body).toMatchObject({ reminder_minutes: [2880, 60] });
  });
});
