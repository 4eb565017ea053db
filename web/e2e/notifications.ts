/**
 * Notifications and the calendar end to end, against a real server: an admin enrols a
 * trainee in a session and the trainee's bell counts up live, without a reload; the
 * notifications page lists it and marking it read drops the count; the trainee's
 * preferences stick after a reload; the calendar shows the session and its subscribe
 * button gives a feed URL that answers text/calendar.
 *
 * Needs the server's notification routes (API.md part two, "Notifications and calendar"):
 * run with `npm run e2e:notifications` after `npm run build`. Screenshots go to
 * test-artifacts/ as for `npm run e2e`.
 */
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, browserHour } from './harness.ts';
import {
  apiPost,
  assertNotReloaded,
  check,
  checkCalendarFeed,
  createSessionByApi,
  createUserByApi,
  heading,
  LIVE_TIMEOUT,
  markSameDocument,
  type NewUser,
  nav,
  runScenario,
  Scenario,
  signIn,
  waitLive,
} from './scenario.ts';

const SESSION_TITLE = 'E2E Ladder safety';
const TRAINER = {
  username: 'nora.trainer',
  email: 'nora@e2e.test',
  first_name: 'Nora',
  last_name: 'Trainer',
  role: 'trainer',
  password: 'Trainer-Notices!E2E-2026',
} satisfies NewUser;
const TRAINEE = {
  username: 'ned.trainee',
  email: 'ned@e2e.test',
  first_name: 'Ned',
  last_name: 'Trainee',
  role: 'trainee',
  password: 'Trainee-Notices!E2E-2026',
} satisfies NewUser;

const scenario = new Scenario('notifications');

function bell(page: Page) {
  return page.getByTestId('notification-bell');
}

const step = scenario.step.bind(scenario);

process.exitCode = await runScenario(scenario, async ({ open }) => {
  const admin = await open('admin');
  let traineeId = 0;
  let sessionId = 0;

  await step('the admin creates a trainer, a trainee and a session for tomorrow', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await heading(admin, 'Dashboard');
    const trainerId = await createUserByApi(admin, TRAINER);
    traineeId = await createUserByApi(admin, TRAINEE);
    const start = new Date(Date.now() + 24 * 3600_000);
    start.setUTCMinutes(0, 0, 0);
    // 90 minutes that end the day they begin on the browser's clock: the agenda lists a
    // session across midnight under both days (this scenario failed when run after 22:00 UTC).
    const late = browserHour(start) - 21;
    if (late > 0) start.setTime(start.getTime() - late * 3600_000);
    sessionId = await createSessionByApi(admin, {
      title: SESSION_TITLE,
      trainer_id: trainerId,
      scheduled_date: start.toISOString(),
      duration_minutes: 90,
    });
  });

  const trainee = await open('trainee');
  await step('the trainee signs in and sees a bell with nothing unread', async () => {
    await signIn(trainee, TRAINEE.username, TRAINEE.password);
    await heading(trainee, 'My training');
    await waitLive(trainee);
    await trainee.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor();
    await markSameDocument(trainee);
  });

  await step("the admin enrols the trainee: the trainee's bell counts up live, without a reload", async () => {
    await apiPost(admin, `/sessions/${sessionId}/trainees/${traineeId}`, undefined, [200, 201]);
    await trainee.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor({ timeout: LIVE_TIMEOUT });
    check((await bell(trainee).textContent())?.trim() === '1', 'the badge does not show 1');
    await assertNotReloaded(trainee, 'trainee');
    await scenario.shot(trainee, 'bell');
  });

  await step('the bell lists the notification; the notifications page shows it unread', async () => {
    await bell(trainee).click();
    const popover = trainee.getByRole('dialog', { name: 'Latest notifications' });
    await popover.getByText('You were enrolled in a session').waitFor();
    await popover.getByRole('link', { name: 'See all notifications' }).click();
    await heading(trainee, 'Notifications');
    const list = trainee.getByRole('list', { name: 'Notifications' });
    await list.getByText('You were enrolled in a session').waitFor();
    await list.getByText(SESSION_TITLE, { exact: false }).waitFor();
    await trainee.getByTestId('unread-summary').getByText('1 unread').waitFor();
    await scenario.shot(trainee, 'notifications-page');
  });

  await step('marking it read drops the count', async () => {
    await trainee.getByRole('button', { name: 'Mark “You were enrolled in a session” read' }).click();
    await trainee.getByRole('button', { name: 'Notifications, 0 unread' }).waitFor({ timeout: LIVE_TIMEOUT });
    await trainee.getByTestId('unread-summary').getByText('All read.').waitFor();
    await trainee.getByRole('button', { name: 'Unread', exact: true }).click();
    await trainee.getByText('No unread notifications.').waitFor();
  });

  await step('the trainee changes preferences, and they stick after a reload', async () => {
    await trainee.getByRole('link', { name: 'Preferences', exact: true }).click();
    await heading(trainee, 'Notification preferences');
    await trainee.getByRole('checkbox', { name: 'Course updates' }).uncheck();
    await trainee.getByRole('button', { name: 'Remove reminder 2' }).click();
    await trainee.getByRole('button', { name: 'Add a reminder' }).click();
    await trainee.getByLabel('Reminder 2: how many').fill('30');
    await trainee.getByLabel('Reminder 2: unit').selectOption('minutes');
    await trainee.getByRole('button', { name: 'Save preferences' }).click();
    await trainee.getByTestId('preferences-saved').getByText('Preferences saved.').waitFor();
    await trainee.reload();
    await heading(trainee, 'Notification preferences');
    const courseUpdates = trainee.getByRole('checkbox', { name: 'Course updates' });
    await courseUpdates.waitFor();
    check(!(await courseUpdates.isChecked()), 'course updates by e-mail came back on after a reload');
    check(await trainee.getByRole('checkbox', { name: 'Reminders' }).isChecked(), 'reminders were turned off');
    check((await trainee.getByTestId('reminder').count()) === 2, 'not two reminders after a reload');
    check((await trainee.getByLabel('Reminder 1: unit').inputValue()) === 'days', 'the first reminder is not 1 day');
    check((await trainee.getByLabel('Reminder 2: how many').inputValue()) === '30', 'the second is not 30');
    check((await trainee.getByLabel('Reminder 2: unit').inputValue()) === 'minutes', 'the second is not minutes');
    await scenario.shot(trainee, 'preferences');
  });

  await step('the calendar shows the session; the subscribe button gives a feed answering text/calendar', async () => {
    await nav(trainee, 'Calendar');
    await heading(trainee, 'Calendar');
    await trainee.getByRole('button', { name: 'Agenda' }).click();
    await trainee.locator('.rbc-agenda-view').getByText(SESSION_TITLE).waitFor();
    await trainee.getByRole('button', { name: 'Subscribe in your calendar app' }).click();
    const url = await trainee.getByTestId('calendar-url').inputValue();
    check(/^https?:\/\/.+\.ics$/.test(url), `the feed URL looks wrong: ${url}`);
    // The feed names the app's public address; ask this server for the same path.
    await checkCalendarFeed(trainee, new URL(url).pathname, SESSION_TITLE);
    await scenario.shot(trainee, 'calendar');
  });
});
