/**
 * Skills end to end, against a real server: the admin adds a skill on the Skills page and
 * names it in a published course's form at level 3; a trainee who completes the course holds
 * it; the admin sees the level in the Skills matrix, downloads the matrix as CSV, and on the
 * trainee's page awards a second skill by hand.
 *
 * Run with `npm run e2e:skills` after `npm run build`; screenshots go to test-artifacts/.
 */
import { ADMIN_PASSWORD } from './harness.ts';
import {
  apiCall,
  apiPost,
  check,
  createPublishedCourseByApi,
  createUserByApi,
  heading,
  nav,
  runScenario,
  Scenario,
  signIn,
} from './scenario.ts';

const COURSE_TITLE = 'E2E Forklift skills';
const SKILL = 'E2E Forklift driving';
const SECOND = 'E2E Pallet stacking';
const PASSWORD = 'Trainee-Skills!E2E-2026';
const TRAINEE = { username: 'sam.skills', first_name: 'Sam', last_name: 'Skilled' };

const scenario = new Scenario('skills');

process.exitCode = await runScenario(scenario, async ({ open }) => {
  const admin = await open('admin');
  let traineeId = 0;
  let courseId = 0;

  await scenario.step('the admin has a trainee and a published course (set up through the API)', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await heading(admin, 'Dashboard');
    traineeId = await createUserByApi(admin, { ...TRAINEE, role: 'trainee', password: PASSWORD });
    courseId = await createPublishedCourseByApi(admin, COURSE_TITLE);
    await apiPost(admin, '/skills/', { name: SECOND, category: 'Warehouse' }, [201]);
  });

  await scenario.step('the admin adds a skill on the Skills page', async () => {
    await nav(admin, 'Skills');
    await heading(admin, 'Skills');
    await admin.getByRole('button', { name: 'New skill' }).click();
    const dialog = admin.getByRole('dialog', { name: 'New skill' });
    await dialog.getByLabel('Name').fill(SKILL);
    await dialog.getByLabel('Category').fill('Warehouse');
    await dialog.getByRole('button', { name: 'Create skill' }).click();
    await admin.getByTestId('skills-table').getByRole('cell', { name: SKILL, exact: true }).waitFor();
  });

  await scenario.step("the course's form names the skill at level 3", async () => {
    await admin.goto(`/app/courses/${courseId}/edit`);
    await heading(admin, COURSE_TITLE);
    const field = admin.getByRole('group', { name: 'Skills granted on completion' });
    await field.getByLabel('Skill to grant').selectOption({ label: SKILL });
    await field.getByLabel('Level granted').selectOption('3');
    await field.getByRole('button', { name: 'Add skill' }).click();
    await field.getByText(`${SKILL} at level 3`).waitFor();
    await admin.getByRole('button', { name: 'Save course' }).click();
    await admin.getByText('Course saved').first().waitFor();
    const course = (await apiCall(admin, 'GET', `/courses/${courseId}`, null, [200])) as {
      skills: { skill_id: number; level: number }[];
      modules: { lessons: { id: number }[] }[];
    };
    check(course.skills.length === 1 && course.skills[0].level === 3, `skills: ${JSON.stringify(course.skills)}`);
    await apiPost(admin, `/courses/${courseId}/enrolments`, { trainee_ids: [traineeId] }, [200]);
  });

  await scenario.step('the trainee completes the course', async () => {
    const trainee = await open('trainee');
    await signIn(trainee, TRAINEE.username, PASSWORD);
    await heading(trainee, 'My training');
    const course = (await apiCall(trainee, 'GET', `/courses/${courseId}`, null, [200])) as {
      modules: { lessons: { id: number }[] }[];
    };
    await apiPost(trainee, `/lessons/${course.modules[0].lessons[0].id}/complete`, {}, [200]);
  });

  await scenario.step('the admin sees the level in the Skills matrix and downloads it', async () => {
    await nav(admin, 'Skills matrix');
    await heading(admin, 'Skills matrix');
    const row = admin.getByTestId('skill-matrix').getByRole('row', { name: /Sam Skilled/ });
    await row.waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    check(cells.includes('3'), `the matrix row shows ${JSON.stringify(cells)}`);
    const download = admin.waitForEvent('download');
    await admin.getByRole('button', { name: 'Download CSV' }).click();
    const file = await download;
    check(/^skills-matrix-\d{8}\.csv$/.test(file.suggestedFilename()), `file ${file.suggestedFilename()}`);
    await scenario.shot(admin, 'skill-matrix');
  });

  await scenario.step("on the trainee's page the admin awards a second skill by hand", async () => {
    await admin.goto(`/app/users/${traineeId}`);
    await heading(admin, 'Sam Skilled');
    const held = admin.getByTestId('user-skills');
    await held.getByRole('cell', { name: SKILL, exact: true }).waitFor();
    await held.getByText('A completed course').waitFor();
    const form = admin.getByRole('form', { name: 'Award a skill' });
    await form.getByLabel('Skill').selectOption({ label: SECOND });
    await form.getByLabel('Level').selectOption('2');
    await form.getByRole('button', { name: 'Award skill' }).click();
    await held.getByRole('cell', { name: SECOND, exact: true }).waitFor();
    await held.getByText('Awarded by hand').waitFor();
    await scenario.shot(admin, 'user-skills');
  });
});
