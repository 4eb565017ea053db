/**
 * Batches end to end, against a real server: the admin creates a batch on the Batches page,
 * adds two trainees found by search on the batch's page, enrols the batch in a published
 * course, and sees both on the course's learners page; a trainee who joins the batch
 * afterwards is enrolled in the course too, and one who leaves stays enrolled.
 *
 * Run with `npm run e2e:batches` after `npm run build`; screenshots go to test-artifacts/.
 */
import { ADMIN_PASSWORD } from './harness.ts';
import {
  apiCall,
  check,
  createPublishedCourseByApi,
  createUserByApi,
  heading,
  nav,
  runScenario,
  Scenario,
  signIn,
} from './scenario.ts';

const COURSE_TITLE = 'E2E Forklift basics';
const BATCH = { code: 'E2E-SPRING', name: 'E2E Spring intake' };
const PASSWORD = 'Trainee-Batches!E2E-2026';
const PEOPLE = [
  { username: 'ben.batch', first_name: 'Ben', last_name: 'Member' },
  { username: 'bea.batch', first_name: 'Bea', last_name: 'Member' },
  { username: 'bo.later', first_name: 'Bo', last_name: 'Later' },
];

const scenario = new Scenario('batches');

process.exitCode = await runScenario(scenario, async ({ open }) => {
  const admin = await open('admin');
  const ids: Record<string, number> = {};
  let courseId = 0;
  let batchId = 0;

  await scenario.step('the admin has three trainees and a published course (set up through the API)', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await heading(admin, 'Dashboard');
    for (const person of PEOPLE) {
      ids[person.username] = await createUserByApi(admin, { ...person, role: 'trainee', password: PASSWORD });
    }
    courseId = await createPublishedCourseByApi(admin, COURSE_TITLE);
  });

  await scenario.step('the admin creates a batch on the Batches page', async () => {
    await nav(admin, 'Batches');
    await heading(admin, 'Batches');
    await admin.getByRole('button', { name: 'New batch' }).click();
    const dialog = admin.getByRole('dialog', { name: 'New batch' });
    await dialog.getByLabel('Code').fill(BATCH.code);
    await dialog.getByLabel('Name').fill(BATCH.name);
    await dialog.getByLabel('Starts on').fill('2026-03-01');
    await dialog.getByLabel('Ends on').fill('2026-06-30');
    await dialog.getByRole('button', { name: 'Create batch' }).click();
    await admin.getByTestId('batches-table').getByRole('link', { name: BATCH.code }).click();
    await heading(admin, BATCH.name);
    batchId = Number(/\/batches\/(\d+)/.exec(admin.url())?.[1]);
    check(batchId > 0, `no batch id in ${admin.url()}`);
  });

  await scenario.step('the admin adds two trainees found by search', async () => {
    const adder = admin.getByTestId('add-members');
    await adder.getByLabel('Search trainees').fill('member');
    await adder.getByRole('checkbox', { name: /Ben Member/ }).check();
    await adder.getByRole('checkbox', { name: /Bea Member/ }).check();
    await adder.getByRole('button', { name: 'Add 2 to batch' }).click();
    await admin.getByTestId(`member-${ids['ben.batch']}`).waitFor();
    await admin.getByTestId(`member-${ids['bea.batch']}`).waitFor();
    await admin.getByTestId('trainee-count').filter({ hasText: '2 trainees' }).waitFor();
  });

  await scenario.step('the admin enrols the batch in the course', async () => {
    const form = admin.locator('form', { has: admin.getByRole('heading', { name: 'Enrol this batch in a course' }) });
    await form.getByLabel('Course').selectOption(String(courseId));
    await form.getByRole('button', { name: 'Enrol in course' }).click();
    await admin.getByText(`${BATCH.code} enrolled in ${COURSE_TITLE}`).waitFor();
    await admin.getByTestId('batch-courses').getByRole('link', { name: COURSE_TITLE }).waitFor();
    await scenario.shot(admin, 'batch-detail');
  });

  await scenario.step('a trainee who joins later is enrolled too; one who leaves stays enrolled', async () => {
    const adder = admin.getByTestId('add-members');
    await adder.getByLabel('Search trainees').fill('later');
    await adder.getByRole('checkbox', { name: /Bo Later/ }).check();
    await adder.getByRole('button', { name: 'Add 1 to batch' }).click();
    await admin.getByTestId(`member-${ids['bo.later']}`).waitFor();
    await admin
      .getByTestId(`member-${ids['bea.batch']}`)
      .getByRole('button', { name: /Remove/ })
      .click();
    await admin.getByText('Bea Member left E2E-SPRING').waitFor();
  });

  await scenario.step("the course's learners page lists every member the batch brought", async () => {
    await admin.getByTestId('batch-courses').getByRole('link', { name: COURSE_TITLE }).click();
    await heading(admin, `Learners: ${COURSE_TITLE}`);
    for (const person of PEOPLE) await admin.getByTestId(`learner-${ids[person.username]}`).waitFor();
    const listed = (await apiCall(admin, 'GET', `/courses/${courseId}/enrolments`, null, [200])) as {
      trainee: { id: number };
      batch_id: number | null;
    }[];
    check(
      listed.length === 3 && listed.every((e) => e.batch_id === batchId),
      `the enrolments are not the batch's: ${JSON.stringify(listed)}`,
    );
    await scenario.shot(admin, 'course-learners');
  });
});
