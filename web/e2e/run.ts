/**
 * End-to-end scenario against a real server: admin, trainer and trainee in three browsers.
 * Run with `npm run e2e` after `npm run build`. Screenshots and downloads go to test-artifacts/.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_PASSWORD, artifactsDir } from './harness.ts';
import {
  assertNotReloaded,
  changeForcedPassword,
  check,
  checkCalendarFeed,
  createUserByApi,
  createUserInDialog,
  dayAt,
  dismissToasts,
  heading,
  LIVE_TIMEOUT,
  markSameDocument,
  nav,
  noHorizontalScroll,
  runScenario,
  Scenario,
  signIn,
  tomorrowAt,
  waitLive,
} from './scenario.ts';

const SESSION_TITLE = 'E2E Safety Induction';
const BOOKABLE_TITLE = 'E2E Open Workshop';
const PAST_TITLE = 'E2E Fire Drill (yesterday)';
const TRAINER = { username: 'tom.trainer', email: 'tom@e2e.test', first: 'Tom', last: 'Trainer', role: 'trainer' };
const TRAINEE = { username: 'tia.trainee', email: 'tia@e2e.test', first: 'Tia', last: 'Trainee', role: 'trainee' };
const TRAINER_PASSWORD = 'Trainer-Chooses!Own-2026';
const TRAINEE_PASSWORD = 'Trainee-Chooses!Own-2026';

const scenario = new Scenario();
const step = scenario.step.bind(scenario);
const shot = scenario.shot.bind(scenario);

process.exitCode = await runScenario(scenario, async ({ baseUrl, open, watch }) => {
  const admin = await open('admin');
  let trainerPassword = '';
  let traineePassword = '';

  await step('the sign-in page explains a wrong password', async () => {
    await admin.goto('/app/');
    await admin.waitForURL('**/app/login');
    await watch.expecting([/status of 401/], async () => {
      await signIn(admin, 'admin', 'not-the-password');
      await admin.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor({ timeout: 10_000 });
    });
    await shot(admin, 'login');
  });

  await step('the admin signs in and sees the dashboard, live', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await heading(admin, 'Dashboard');
    await waitLive(admin);
    await admin.getByTestId('time-zone').filter({ hasText: 'Europe/Berlin' }).waitFor();
  });

  await step('the admin creates a trainer and a trainee, each with a temporary password shown once', async () => {
    trainerPassword = await createUserInDialog(admin, TRAINER);
    traineePassword = await createUserInDialog(admin, TRAINEE);
    check(trainerPassword !== traineePassword, 'two users got the same temporary password');
  });

  const trainee = await open('trainee');
  await step('the trainee signs in and is made to change the temporary password', async () => {
    await signIn(trainee, TRAINEE.username, traineePassword);
    await changeForcedPassword(trainee, TRAINEE_PASSWORD, watch);
    await heading(trainee, 'My training');
    await waitLive(trainee);
    await trainee.getByTestId('attended-count').filter({ hasText: /^0$/ }).waitFor({ timeout: 10_000 });
    await markSameDocument(trainee);
  });

  let createdAt = 0;
  await step('the admin creates a session with the trainer and the trainee', async () => {
    await nav(admin, 'Sessions');
    await heading(admin, 'Sessions');
    await admin.getByRole('button', { name: 'New session' }).click();
    const dialog = admin.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Title').fill(SESSION_TITLE);
    await dialog.getByLabel('Description').fill('Fire exits, first aid, reporting.');
    await dialog.getByLabel('Trainer').selectOption({ label: `${TRAINER.first} ${TRAINER.last}` });
    await dialog.getByLabel('Starts at').fill(tomorrowAt(10));
    await dialog.getByLabel('Duration (minutes)').fill('90');
    await dialog.getByLabel('Class link').fill('https://meet.example.test/e2e-safety');
    await dialog.getByLabel(`${TRAINEE.first} ${TRAINEE.last}`, { exact: false }).check();
    await dialog.getByRole('button', { name: 'Create session' }).click();
    createdAt = Date.now();
    await heading(admin, SESSION_TITLE);
  });

  await step("the trainee's open page shows the new session without a reload", async () => {
    const card = trainee.getByTestId('upcoming-sessions').getByRole('heading', { name: SESSION_TITLE });
    await card.waitFor({ timeout: LIVE_TIMEOUT });
    const delay = Date.now() - createdAt;
    console.log(`  the session appeared on the trainee's page ${delay} ms after the admin's answer`);
    await assertNotReloaded(trainee, 'trainee');
    await trainee.getByRole('link', { name: /Join class/ }).waitFor();
    const href = await trainee.getByRole('link', { name: /Join class/ }).getAttribute('href');
    check(href === 'https://meet.example.test/e2e-safety', `the join link is ${href}`);
    await trainee.getByTestId('total-count').filter({ hasText: /^1$/ }).waitFor({ timeout: LIVE_TIMEOUT });
  });

  const trainer = await open('trainer');
  await step('the trainer signs in, changes the password and takes attendance in one screen', async () => {
    await signIn(trainer, TRAINER.username, trainerPassword);
    await changeForcedPassword(trainer, TRAINER_PASSWORD, watch);
    await heading(trainer, 'My sessions');
    await waitLive(trainer);
    await trainer.getByRole('link', { name: SESSION_TITLE }).click();
    await heading(trainer, SESSION_TITLE);
    await trainer.getByRole('link', { name: 'Take attendance' }).click();
    await heading(trainer, `Attendance: ${SESSION_TITLE}`);
    await trainer.getByTestId('attendance-summary').filter({ hasText: '0 of 1 present' }).waitFor();
    await trainer.getByRole('button', { name: 'Mark all present' }).click();
    await trainer.getByTestId('attendance-summary').filter({ hasText: '1 of 1 present' }).waitFor({ timeout: 10_000 });
    await trainer.getByTestId(`attendance-row-${TRAINEE.username}`).getByText('Present', { exact: true }).waitFor();
    await shot(trainer, 'trainer-attendance');
  });

  await step("the trainee's progress changes live", async () => {
    await trainee.getByTestId('attended-count').filter({ hasText: /^1$/ }).waitFor({ timeout: LIVE_TIMEOUT });
    await assertNotReloaded(trainee, 'trainee');
    await shot(trainee, 'trainee-home');
  });

  await step('the trainer adjusts a mark (absent), and it shows up live for the trainee', async () => {
    await trainer.getByLabel(`${TRAINEE.first} ${TRAINEE.last} present`).uncheck();
    await trainer.getByTestId('attendance-summary').filter({ hasText: '0 of 1 present' }).waitFor({ timeout: 10_000 });
    await trainee.getByTestId('attended-count').filter({ hasText: /^0$/ }).waitFor({ timeout: LIVE_TIMEOUT });
    await trainer.getByLabel(`${TRAINEE.first} ${TRAINEE.last} present`).check();
    await trainee.getByTestId('attended-count').filter({ hasText: /^1$/ }).waitFor({ timeout: LIVE_TIMEOUT });
  });

  await step('the admin assigns the trainee to the trainer', async () => {
    await nav(admin, 'Assignments');
    await heading(admin, 'Assignments');
    await admin.getByLabel('Trainee', { exact: true }).selectOption({ label: `${TRAINEE.first} ${TRAINEE.last}` });
    await admin.getByLabel('Trainer', { exact: true }).selectOption({ label: `${TRAINER.first} ${TRAINER.last}` });
    await admin.getByRole('button', { name: 'Assign' }).click();
    await admin.getByRole('cell', { name: `${TRAINEE.first} ${TRAINEE.last}` }).waitFor({ timeout: 10_000 });
  });

  await step('the admin opens Background jobs and sees that none has failed', async () => {
    await nav(admin, 'Background jobs');
    await heading(admin, 'Background jobs');
    await admin.getByText('No failed jobs: nothing waits for you.').waitFor({ timeout: 10_000 });
  });

  await step(
    'the admin adds a room and a session open to booking in it; the trainee books a place',
    async () => {
      await nav(admin, 'Rooms');
      await heading(admin, 'Rooms');
      await admin.getByRole('button', { name: 'Add room' }).click();
      const roomDialog = admin.getByRole('dialog', { name: 'Add a room' });
      await roomDialog.getByLabel('Name').fill('E2E room');
      await roomDialog.getByLabel('Location').fill('Building 1');
      await roomDialog.getByLabel('Seats').fill('4');
      await roomDialog.getByRole('button', { name: 'Add room' }).click();
      await admin.getByRole('cell', { name: 'E2E room', exact: true }).waitFor({ timeout: 10_000 });

      await nav(admin, 'Sessions');
      await heading(admin, 'Sessions');
      await admin.getByRole('button', { name: 'New session' }).click();
      const dialog = admin.getByRole('dialog', { name: 'New session' });
      await dialog.getByLabel('Title').fill(BOOKABLE_TITLE);
      await dialog.getByLabel('Trainer').selectOption({ label: `${TRAINER.first} ${TRAINER.last}` });
      await dialog.getByLabel('Starts at').fill(tomorrowAt(15));
      await dialog.getByLabel('Room').selectOption({ label: 'E2E room (4 places)' });
      await dialog.getByLabel('Capacity').fill('2');
      await dialog.getByLabel('Trainees may book a place themselves').check();
      await dialog.getByRole('button', { name: 'Create session' }).click();
      await heading(admin, BOOKABLE_TITLE);
      await admin.getByTestId('session-places').filter({ hasText: '0 of 2 (2 left)' }).waitFor();

      await nav(trainee, 'Book a session');
      await heading(trainee, 'Book a session');
      const card = trainee.getByTestId('bookable-sessions').locator('li', { hasText: BOOKABLE_TITLE });
      await card.getByTestId('places').filter({ hasText: '0 of 2 (2 left)' }).waitFor({ timeout: LIVE_TIMEOUT });
      await card.getByRole('button', { name: `Book ${BOOKABLE_TITLE}` }).click();
      await card.getByTestId('booking-state').filter({ hasText: 'You are booked in.' }).waitFor({ timeout: 10_000 });
      await card.getByTestId('places').filter({ hasText: '1 of 2 (1 left)' }).waitFor();
      await shot(trainee, 'trainee-booked');
      // The admin's page of the session follows live.
      await admin
        .getByTestId('session-places')
        .filter({ hasText: '1 of 2 (1 left)' })
        .waitFor({ timeout: LIVE_TIMEOUT });
      // Cancelling gives the place back (and leaves the trainee's sessions as the next steps expect).
      await card.getByRole('button', { name: `Cancel booking ${BOOKABLE_TITLE}` }).click();
      await card.getByTestId('places').filter({ hasText: '0 of 2 (2 left)' }).waitFor({ timeout: 10_000 });
      await nav(trainee, 'My training');
      await heading(trainee, 'My training');
    },
    { independent: true },
  );

  let pastId = 0;
  await step("a session from yesterday appears among the trainee's past sessions, not marked", async () => {
    await nav(admin, 'Sessions');
    await heading(admin, 'Sessions');
    await admin.getByRole('button', { name: 'New session' }).click();
    const dialog = admin.getByRole('dialog', { name: 'New session' });
    await dialog.getByLabel('Title').fill(PAST_TITLE);
    await dialog.getByLabel('Trainer').selectOption({ label: `${TRAINER.first} ${TRAINER.last}` });
    await dialog.getByLabel('Starts at').fill(dayAt(-1, 10));
    await dialog.getByLabel('Duration (minutes)').fill('60');
    await dialog.getByLabel(`${TRAINEE.first} ${TRAINEE.last}`, { exact: false }).check();
    await dialog.getByRole('button', { name: 'Create session' }).click();
    await heading(admin, PAST_TITLE);
    pastId = Number(/\/sessions\/(\d+)/.exec(admin.url())?.[1]);
    check(pastId > 0, `no session id in ${admin.url()}`);
    const row = trainee.getByTestId(`past-session-${pastId}`);
    await row.getByText(PAST_TITLE).waitFor({ timeout: LIVE_TIMEOUT });
    await row.getByText('Not marked', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    await assertNotReloaded(trainee, 'trainee');
  });

  await step("the trainer marks the past session and the trainee's past-session row shows it live", async () => {
    await nav(trainer, 'My sessions');
    await heading(trainer, 'My sessions');
    await trainer.getByRole('link', { name: PAST_TITLE }).click();
    await heading(trainer, PAST_TITLE);
    await trainer.getByRole('link', { name: 'Take attendance' }).click();
    await heading(trainer, `Attendance: ${PAST_TITLE}`);
    const box = trainer.getByLabel(`${TRAINEE.first} ${TRAINEE.last} present`);
    const row = trainee.getByTestId(`past-session-${pastId}`);
    let started = Date.now();
    await box.check();
    await row.getByText('Present', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    console.log(
      `  "Present" appeared in the trainee's past-session row ${Date.now() - started} ms after the trainer's click`,
    );
    // attendance_updated carries only the record's id: the list is fetched again.
    started = Date.now();
    await box.uncheck();
    await row.getByText('Absent', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    console.log(`  "Absent" appeared ${Date.now() - started} ms after the trainer's click`);
    await box.check();
    await row.getByText('Present', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    await trainee.getByTestId('attended-count').filter({ hasText: /^2$/ }).waitFor({ timeout: LIVE_TIMEOUT });
    await trainee.getByTestId('total-count').filter({ hasText: /^2$/ }).waitFor({ timeout: LIVE_TIMEOUT });
    await assertNotReloaded(trainee, 'trainee');
    await dismissToasts(trainee);
    await shot(trainee, 'trainee-past-sessions');
  });

  await step(
    "the trainer's sessions list what is coming first, then the past, latest first",
    async () => {
      await nav(trainer, 'My sessions');
      await heading(trainer, 'My sessions');
      const upcoming = trainer.getByTestId('upcoming-sessions');
      const past = trainer.getByTestId('past-sessions');
      await upcoming.getByRole('link', { name: SESSION_TITLE }).waitFor();
      await past.getByRole('link', { name: PAST_TITLE }).waitFor();
      const order = await trainer.locator('main a').evaluateAll((links) => links.map((l) => l.textContent));
      check(
        order.indexOf(SESSION_TITLE) >= 0 && order.indexOf(SESSION_TITLE) < order.indexOf(PAST_TITLE),
        `the upcoming session is not listed before the past one: ${order.join(' | ')}`,
      );
    },
    { independent: true },
  );

  await step(
    'a double booking names the clash in local time',
    async () => {
      await nav(admin, 'Sessions');
      await heading(admin, 'Sessions');
      await admin.getByRole('button', { name: 'New session' }).click();
      const dialog = admin.getByRole('dialog', { name: 'New session' });
      await dialog.getByLabel('Title').fill('E2E Overlap');
      await dialog.getByLabel('Trainer').selectOption({ label: `${TRAINER.first} ${TRAINER.last}` });
      await dialog.getByLabel('Starts at').fill(tomorrowAt(10).replace(':00', ':30'));
      await watch.expecting([/status of 409/], async () => {
        await dialog.getByRole('button', { name: 'Create session' }).click();
        const clash = dialog.getByRole('alert').getByRole('listitem').filter({ hasText: SESSION_TITLE });
        await clash.waitFor({ timeout: 10_000 });
        // The session was made for 10:00 to 11:30 Berlin time; the server's detail says UTC.
        // biome-ignore lint/performance/useDomNodeTextContent: the check is about the text a person sees, as laid out
        const text = await clash.innerText();
        check(
          /10:00/.test(text) && /11:30/.test(text) && /CES?T/.test(text),
          `the clash is not shown in local time: ${text}`,
        );
        check(
          text.includes(`${TRAINER.first} ${TRAINER.last} (trainer)`),
          `the clash does not name the trainer: ${text}`,
        );
      });
      await shot(admin, 'admin-double-booking');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    },
    { independent: true },
  );

  await step('the trainer opens the assigned trainee\'s attendance on "My trainees"', async () => {
    await nav(trainer, 'My trainees');
    await heading(trainer, 'My trainees');
    const name = `${TRAINEE.first} ${TRAINEE.last}`;
    await trainer.getByRole('button', { name: `Show attendance of ${name}` }).click();
    const list = trainer.getByRole('list', { name: `Attendance of ${name}` });
    await list
      .getByRole('listitem')
      .filter({ hasText: PAST_TITLE })
      .getByText('Present', { exact: true })
      .waitFor({ timeout: 10_000 });
    await list.getByRole('listitem').filter({ hasText: SESSION_TITLE }).getByText('Present', { exact: true }).waitFor();
    await trainer.getByText('Present at 2 of 2 marked sessions.').waitFor();
    await dismissToasts(trainer);
    await shot(trainer, 'trainer-trainee-attendance');
  });

  await step(
    'the admin downloads the report in each format',
    async () => {
      await nav(admin, 'Reports');
      await heading(admin, 'Reports');
      const formats = [
        { label: 'Download PDF', ext: 'pdf', magic: (b: Buffer) => b.subarray(0, 5).toString() === '%PDF-' },
        {
          label: 'Download CSV',
          ext: 'csv',
          magic: (b: Buffer) => /user/i.test(b.toString('utf8')) && /session/i.test(b.toString('utf8')),
        },
        { label: 'Download Excel', ext: 'xlsx', magic: (b: Buffer) => b.subarray(0, 2).toString() === 'PK' },
      ];
      for (const format of formats) {
        const downloading = admin.waitForEvent('download', { timeout: 30_000 });
        const refused = admin
          .locator('.alert-error')
          .waitFor({ timeout: 30_000 })
          .then(async () => {
            throw new Error(
              `the ${format.ext} report was refused: ${await admin.locator('.alert-error').textContent()}`,
            );
          });
        refused.catch(() => undefined);
        downloading.catch(() => undefined);
        await admin.getByRole('button', { name: format.label }).click();
        const download = await Promise.race([downloading, refused]);
        const name = download.suggestedFilename();
        check(
          new RegExp(`^training-report-\\d{8}\\.${format.ext}$`).test(name),
          `the ${format.ext} download is named "${name}"`,
        );
        const target = join(artifactsDir, name);
        await download.saveAs(target);
        check(statSync(target).size > 0, `${name} is empty`);
        check(format.magic(readFileSync(target)), `${name} does not look like a ${format.ext} file`);
        await admin
          .getByRole('status')
          .filter({ hasText: `Downloaded ${name}` })
          .waitFor();
      }
    },
    { independent: true },
  );

  await step(
    "screenshots of each role's main pages",
    async () => {
      await nav(admin, 'Dashboard');
      await heading(admin, 'Dashboard');
      await admin.locator('.recharts-surface').first().waitFor();
      await shot(admin, 'admin-dashboard');
      for (const [label, title, file] of [
        ['Users', 'Users', 'admin-users'],
        ['Sessions', 'Sessions', 'admin-sessions'],
        ['Assignments', 'Assignments', 'admin-assignments'],
        ['Analytics', 'Analytics', 'admin-analytics'],
        ['Reports', 'Reports', 'admin-reports'],
        ['Audit log', 'Audit log', 'admin-audit'],
      ] as const) {
        await nav(admin, label);
        await heading(admin, title);
        await shot(admin, file);
      }
      await nav(admin, 'Sessions');
      await admin.getByRole('button', { name: 'Week' }).click();
      await admin.getByRole('heading', { level: 2, name: /^Week of/ }).waitFor();
      await admin.getByRole('button', { name: 'Next week' }).click();
      await admin
        .locator('.calendar-item')
        .filter({ hasText: SESSION_TITLE })
        .or(admin.getByRole('button', { name: 'Today' }))
        .first()
        .waitFor();
      await admin.getByRole('button', { name: 'Today' }).click();
      await shot(admin, 'admin-calendar-week');
      await admin.getByRole('button', { name: 'Month' }).click();
      await shot(admin, 'admin-calendar-month');
      await nav(trainer, 'My sessions');
      await heading(trainer, 'My sessions');
      await shot(trainer, 'trainer-sessions');
      await nav(trainer, 'My trainees');
      await heading(trainer, 'My trainees');
      await trainer.getByTestId('trainer-trainees').getByText(`${TRAINEE.first} ${TRAINEE.last}`).waitFor();
      await shot(trainer, 'trainer-trainees');
      await nav(trainer, 'My sessions');
      await trainer.getByRole('link', { name: SESSION_TITLE }).click();
      await heading(trainer, SESSION_TITLE);
      await shot(trainer, 'trainer-session-detail');
      await admin.getByRole('link', { name: /Profile/ }).click();
      await heading(admin, 'Your profile');
      await shot(admin, 'admin-profile');
    },
    { independent: true },
  );

  await step(
    'dialogs work from the keyboard',
    async () => {
      await nav(admin, 'Users');
      await heading(admin, 'Users');
      const opener = admin.getByRole('button', { name: 'New user' });
      await opener.focus();
      await admin.keyboard.press('Enter');
      const dialog = admin.getByRole('dialog', { name: 'New user' });
      await dialog.waitFor();
      const focusedInside = await dialog.evaluate((node) => node.contains(document.activeElement));
      check(focusedInside, 'focus did not move into the dialog');
      await admin.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      const back = await opener.evaluate((node) => node === document.activeElement);
      check(back, 'focus did not return to the button that opened the dialog');
    },
    { independent: true },
  );

  await step(
    'the pages work at 360 px wide',
    async () => {
      const phone = await open('trainee-phone', { mobile: true });
      await signIn(phone, TRAINEE.username, TRAINEE_PASSWORD);
      await heading(phone, 'My training');
      await noHorizontalScroll(phone, "the trainee's page");
      await shot(phone, 'trainee-home-360px');
      const trainerPhone = await open('trainer-phone', { mobile: true });
      await signIn(trainerPhone, TRAINER.username, TRAINER_PASSWORD);
      await heading(trainerPhone, 'My sessions');
      await nav(trainerPhone, 'My trainees');
      await heading(trainerPhone, 'My trainees');
      await trainerPhone.getByRole('button', { name: `Show attendance of ${TRAINEE.first} ${TRAINEE.last}` }).click();
      await trainerPhone.getByRole('list', { name: `Attendance of ${TRAINEE.first} ${TRAINEE.last}` }).waitFor();
      await noHorizontalScroll(trainerPhone, "the trainer's trainees page");
      await shot(trainerPhone, 'trainer-trainee-attendance-360px');
      const adminPhone = await open('admin-phone', { mobile: true });
      await signIn(adminPhone, 'admin', ADMIN_PASSWORD);
      await heading(adminPhone, 'Dashboard');
      // Long names and addresses are what a narrow table clips.
      await createUserByApi(adminPhone, {
        username: 'maximilian.schwarzenberger',
        email: 'maximilian.schwarzenberger-hohenlohe@training-department.example.test',
        first_name: 'Maximilian-Alexander',
        last_name: 'Schwarzenberger-Hohenlohe',
        role: 'trainer',
      });
      await noHorizontalScroll(adminPhone, 'the dashboard');
      await shot(adminPhone, 'admin-dashboard-360px');
      for (const [label, title, file] of [
        ['Users', 'Users', 'admin-users-360px'],
        ['Sessions', 'Sessions', 'admin-sessions-360px'],
      ] as const) {
        await nav(adminPhone, label);
        await heading(adminPhone, title);
        await adminPhone.locator('.loading').first().waitFor({ state: 'detached', timeout: 10_000 });
        if (label === 'Users') await adminPhone.getByTestId('user-row-maximilian.schwarzenberger').waitFor();
        await noHorizontalScroll(adminPhone, `the ${label} page`);
        await shot(adminPhone, file);
      }
      await adminPhone.getByRole('button', { name: 'Menu' }).click();
      await shot(adminPhone, 'admin-menu-360px');
    },
    { independent: true },
  );

  await step(
    "the trainee's calendar shows the session, and its feed URL works without a sign-in until revoked",
    async () => {
      const page = await open('trainee-calendar');
      await signIn(page, TRAINEE.username, TRAINEE_PASSWORD);
      await nav(page, 'Calendar');
      await heading(page, 'Calendar');
      await page.getByRole('button', { name: 'Agenda' }).click();
      await page.getByText(SESSION_TITLE).first().waitFor();
      await shot(page, 'trainee-calendar-agenda');
      await page.getByRole('button', { name: 'Month' }).click();
      await page.locator('.rbc-month-view').waitFor();
      await shot(page, 'trainee-calendar-month');
      await page.getByRole('button', { name: 'Subscribe in your calendar app' }).click();
      const url = await page.getByTestId('calendar-url').inputValue();
      const feedPath = new URL(url).pathname;
      check(/^\/calendar\/[A-Za-z0-9_-]{43}\.ics$/.test(feedPath), `the feed URL is ${url}`);
      await checkCalendarFeed(page, `${baseUrl}${feedPath}`, SESSION_TITLE);
      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.getByTestId('calendar-url').waitFor({ state: 'detached' });
      const gone = await page.request.get(`${baseUrl}${feedPath}`);
      check(gone.status() === 404, `a revoked feed answered ${gone.status()}`);
    },
    { independent: true },
  );

  await step('signing out ends the sign-in and says so', async () => {
    await trainee.getByRole('button', { name: 'Sign out' }).click();
    await trainee.waitForURL('**/app/login');
    await trainee.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
    const stored = await trainee.evaluate(() => ({
      session: sessionStorage.getItem('tms.auth'),
      local: localStorage.length,
    }));
    check(stored.session === null && stored.local === 0, 'the token is still stored after signing out');
  });

  await step(
    "an admin's password reset ends the trainee's sign-in, with a message",
    async () => {
      const phone = scenario.pages['trainee-phone'];
      check(phone, 'the phone page is not open');
      await markSameDocument(phone);
      await nav(admin, 'Users');
      await admin
        .getByTestId(`user-row-${TRAINEE.username}`)
        .getByRole('button', { name: /Reset password/ })
        .click();
      const dialog = admin.getByRole('dialog', { name: `Reset the password of ${TRAINEE.username}` });
      await dialog.getByRole('button', { name: 'Reset password' }).click();
      await dialog.getByTestId('reset-password').waitFor();
      await dialog.getByRole('button', { name: 'Done' }).click();
      await watch.expecting([/status of 401/], async () => {
        await phone.waitForURL('**/app/login', { timeout: LIVE_TIMEOUT });
        await phone
          .getByRole('status')
          .filter({ hasText: /no longer valid|has ended/ })
          .waitFor();
      });
      await shot(phone, 'signed-out-by-reset-360px');
    },
    { independent: true },
  );
});
