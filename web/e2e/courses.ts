/**
 * Courses end to end, against a real server: a trainer authors a course (a draft refused
 * publication without a lesson, a Markdown lesson shown as the server renders it, an http
 * video address refused, a file uploaded with its progress and a disguised executable
 * refused), publishes it and enrols a trainee with a due date; the trainee completes a
 * lesson in My learning, and the trainer's open learners page moves the trainee's bar
 * without a reload.
 *
 * Needs the server's course routes (API.md part two, "Courses and learning"): run with
 * `npm run e2e:courses` after `npm run build`. It is not part of `npm run e2e` until the
 * server has them. Screenshots go to test-artifacts/ as for `npm run e2e`.
 */
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD } from './harness.ts';
import {
  apiPost,
  assertNotReloaded,
  check,
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

const COURSE_TITLE = 'E2E Working at height';
const TRAINER = {
  username: 'cora.trainer',
  email: 'cora@e2e.test',
  first_name: 'Cora',
  last_name: 'Trainer',
  role: 'trainer',
  password: 'Trainer-Courses!E2E-2026',
} satisfies NewUser;
const TRAINEE = {
  username: 'lea.learner',
  email: 'lea@e2e.test',
  first_name: 'Lea',
  last_name: 'Learner',
  role: 'trainee',
  password: 'Trainee-Courses!E2E-2026',
} satisfies NewUser;
const MARKDOWN =
  '# Before you climb\n\nCheck the **ladder** every time.\n\n- feet\n- rungs\n\n<script>alert(1)</script>';
// The smallest PDF readers accept: a type the allowlist takes, recognised by its bytes.
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
// A Windows executable's first bytes, under a harmless name: refused on its content (415).
const DISGUISED = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(512, 0)]);

const scenario = new Scenario('courses');
const step = scenario.step.bind(scenario);

/** The value of a learner's progress bar on the enrolments page. */
async function learnerProgress(page: Page, traineeId: number): Promise<number> {
  const bar = page.getByTestId(`learner-${traineeId}`).locator('progress');
  return Number(await bar.evaluate((el) => (el as HTMLProgressElement).value));
}

process.exitCode = await runScenario(scenario, async ({ open, watch }) => {
  const admin = await open('admin');
  let traineeId = 0;
  let courseId = 0;

  await step('the admin creates a trainer and a trainee and assigns one to the other', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await heading(admin, 'Dashboard');
    const trainerId = await createUserByApi(admin, TRAINER);
    traineeId = await createUserByApi(admin, TRAINEE);
    await apiPost(admin, '/assignments/', { student_id: traineeId, teacher_id: trainerId });
  });

  const trainer = await open('trainer');
  await step('the trainer creates a course, a draft that cannot be published without a lesson', async () => {
    await signIn(trainer, TRAINER.username, TRAINER.password);
    await heading(trainer, 'My sessions');
    await nav(trainer, 'Courses');
    await heading(trainer, 'Courses');
    await trainer.getByRole('button', { name: 'New course' }).click();
    const dialog = trainer.getByRole('dialog', { name: 'New course' });
    await dialog.getByLabel('Title').fill(COURSE_TITLE);
    await dialog.getByLabel('Category').fill('Safety');
    await dialog.getByLabel('Difficulty').selectOption('beginner');
    await dialog.getByRole('button', { name: 'Create course' }).click();
    await heading(trainer, COURSE_TITLE);
    courseId = Number(/\/courses\/(\d+)\/edit/.exec(trainer.url())?.[1]);
    check(courseId > 0, `no course id in ${trainer.url()}`);
    await watch.expecting([/status of 422/], async () => {
      await trainer.getByRole('button', { name: 'Publish', exact: true }).click();
      await trainer.getByRole('alert').first().waitFor({ timeout: 10_000 });
    });
  });

  await step('the trainer adds a module and a Markdown lesson, shown as the server renders it', async () => {
    await trainer.getByLabel('New module').fill('Basics');
    await trainer.getByRole('button', { name: 'Add module' }).click();
    await trainer.getByRole('heading', { level: 3, name: '1. Basics' }).waitFor({ timeout: 10_000 });
    await trainer.getByRole('button', { name: 'Add lesson to Basics' }).click();
    await trainer.getByRole('dialog', { name: 'New lesson in “Basics”' }).waitFor();
    // Once the lesson is saved the dialog edits it, under the lesson's name: follow the one dialog open.
    const dialog = trainer.getByRole('dialog');
    await dialog.getByLabel('Lesson title').fill('Before you climb');
    await dialog.getByLabel('Body (Markdown)').fill(MARKDOWN);
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.getByTestId('markdown-preview').getByText('ladder', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Add lesson' }).click();
    const rendered = dialog.getByTestId('server-rendering');
    await rendered.getByText('ladder', { exact: true }).waitFor({ timeout: 10_000 });
    check((await rendered.locator('script').count()) === 0, "the server's rendering contains a script element");
    await scenario.shot(trainer, 'lesson-editor');
    await dialog.getByText('Close', { exact: true }).click();
  });

  await step('an http video address is refused with the reason; an https one is taken', async () => {
    await trainer.getByRole('button', { name: 'Add lesson to Basics' }).click();
    await trainer.getByRole('dialog', { name: 'New lesson in “Basics”' }).waitFor();
    // Once the lesson is saved the dialog edits it, under the lesson's name: follow the one dialog open.
    const dialog = trainer.getByRole('dialog');
    await dialog.getByLabel('Lesson title').fill('Ladders on film');
    await dialog.getByLabel('Kind').selectOption('video');
    await dialog.getByLabel('Video address').fill('http://www.youtube.com/watch?v=dQw4w9WgXcQ');
    await watch.expecting([/status of 422/], async () => {
      await dialog.getByRole('button', { name: 'Add lesson' }).click();
      await dialog.locator('.field-errors').first().waitFor({ timeout: 10_000 });
    });
    await dialog.getByLabel('Video address').fill('https://www.youtube.com/watch?v=dQw4w9WgXcQ');
    await dialog.getByRole('button', { name: 'Add lesson' }).click();
    await dialog.getByRole('button', { name: 'Save lesson' }).waitFor({ timeout: 10_000 });
    await dialog.getByText('Close', { exact: true }).click();
  });

  await step('a file lesson takes a PDF with a progress bar and refuses a disguised executable', async () => {
    await trainer.getByRole('button', { name: 'Add lesson to Basics' }).click();
    await trainer.getByRole('dialog', { name: 'New lesson in “Basics”' }).waitFor();
    // Once the lesson is saved the dialog edits it, under the lesson's name: follow the one dialog open.
    const dialog = trainer.getByRole('dialog');
    await dialog.getByLabel('Lesson title').fill('Checklist');
    await dialog.getByLabel('Kind').selectOption('file');
    await dialog.getByRole('button', { name: 'Add lesson' }).click();
    await dialog
      .getByLabel('Choose a file')
      .setInputFiles({ name: 'evil.pdf', mimeType: 'application/pdf', buffer: DISGUISED });
    await watch.expecting([/status of 415/], async () => {
      await dialog.getByRole('button', { name: 'Upload' }).click();
      await dialog
        .getByRole('alert')
        .filter({ hasText: 'This type of file is not allowed.' })
        .waitFor({ timeout: 10_000 });
    });
    await dialog
      .getByLabel('Choose a file')
      .setInputFiles({ name: 'checklist.pdf', mimeType: 'application/pdf', buffer: PDF });
    await dialog.getByRole('button', { name: 'Upload' }).click();
    await dialog.getByTestId('current-file').filter({ hasText: 'checklist.pdf' }).waitFor({ timeout: 10_000 });
    const percent = await dialog
      .getByRole('progressbar', { name: 'Upload progress' })
      .evaluate((el) => (el as HTMLProgressElement).value);
    check(percent === 100, `the upload progress bar ended at ${percent}%`);
    await dialog.getByText('Close', { exact: true }).click();
  });

  await step('the trainer publishes the course and enrols the trainee with a due date', async () => {
    await trainer.getByRole('button', { name: 'Publish', exact: true }).click();
    await trainer.getByRole('button', { name: 'Archive', exact: true }).waitFor({ timeout: 10_000 });
    // The trainer follows no batch: the cohort picker stays hidden.
    await trainer.getByRole('link', { name: 'Learners', exact: true }).click();
    await heading(trainer, `Learners: ${COURSE_TITLE}`);
    await trainer.getByLabel(`${TRAINEE.first_name} ${TRAINEE.last_name}`, { exact: false }).check();
    await trainer.getByLabel('Due date').fill('2099-12-31');
    await trainer.getByRole('button', { name: 'Enrol', exact: true }).click();
    await trainer.getByTestId('enrol-result').filter({ hasText: '1 enrolled.' }).waitFor({ timeout: 10_000 });
    await trainer.getByTestId(`learner-${traineeId}`).waitFor({ timeout: 10_000 });
    check((await learnerProgress(trainer, traineeId)) === 0, 'a new learner does not start at 0%');
    await waitLive(trainer);
    await markSameDocument(trainer);
  });

  const trainee = await open('trainee');
  await step('the trainee finds the course in My learning and completes its first lesson', async () => {
    await signIn(trainee, TRAINEE.username, TRAINEE.password);
    await heading(trainee, 'My training');
    await waitLive(trainee);
    await nav(trainee, 'My learning');
    await heading(trainee, 'My learning');
    const card = trainee.getByTestId(`my-course-${courseId}`);
    await card.waitFor({ timeout: 10_000 });
    await card.getByRole('link', { name: `Start ${COURSE_TITLE}` }).click();
    await heading(trainee, 'Before you climb');
    await trainee.getByTestId('lesson-body').getByText('ladder', { exact: true }).waitFor();
    await trainee.getByRole('button', { name: 'Mark complete' }).click();
    await trainee.getByTestId('lesson-done').waitFor({ timeout: 10_000 });
    await scenario.shot(trainee, 'lesson-viewer');
  });

  await step("the trainer's open learners page moves the trainee's bar live", async () => {
    const deadline = Date.now() + LIVE_TIMEOUT;
    let value = await learnerProgress(trainer, traineeId);
    while (value <= 0 && Date.now() < deadline) {
      await trainer.waitForTimeout(100);
      value = await learnerProgress(trainer, traineeId);
    }
    check(value > 0, `the trainee's bar still shows ${value}% on the trainer's page`);
    await trainer.getByTestId(`learner-${traineeId}`).getByText('1 of 3 lessons').waitFor();
    await assertNotReloaded(trainer, 'trainer');
    await scenario.shot(trainer, 'learners-live');
  });
});
