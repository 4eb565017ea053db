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
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  ADMIN_PASSWORD,
  artifactsDir,
  ConsoleWatch,
  launchBrowser,
  newUserContext,
  type Server,
  startServer,
} from './harness.ts';

const LIVE_TIMEOUT = 5_000;
const COURSE_TITLE = 'E2E Working at height';
const TRAINER = {
  username: 'cora.trainer',
  email: 'cora@e2e.test',
  first_name: 'Cora',
  last_name: 'Trainer',
  role: 'trainer',
  password: 'Trainer-Courses!E2E-2026',
  is_temporary_password: false,
};
const TRAINEE = {
  username: 'lea.learner',
  email: 'lea@e2e.test',
  first_name: 'Lea',
  last_name: 'Learner',
  role: 'trainee',
  password: 'Trainee-Courses!E2E-2026',
  is_temporary_password: false,
};
const MARKDOWN =
  '# Before you climb\n\nCheck the **ladder** every time.\n\n- feet\n- rungs\n\n<script>alert(1)</script>';
// The smallest PDF readers accept: a type the allowlist takes, recognised by its bytes.
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
// A Windows executable's first bytes, under a harmless name: refused on its content (415).
const DISGUISED = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), Buffer.alloc(512, 0)]);

type Result = { name: string; status: 'passed' | 'failed' | 'skipped'; error?: string; ms: number };
const results: Result[] = [];
const pages: Record<string, Page> = {};
let failed = false;

async function step(name: string, fn: () => Promise<void>, options: { independent?: boolean } = {}): Promise<void> {
  if (failed && !options.independent) {
    results.push({ name, status: 'skipped', ms: 0 });
    console.log(`- skipped: ${name}`);
    return;
  }
  const started = Date.now();
  try {
    await fn();
    results.push({ name, status: 'passed', ms: Date.now() - started });
    console.log(`ok: ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    if (!options.independent) failed = true;
    const message = error instanceof Error ? error.message : String(error);
    results.push({ name, status: 'failed', error: message, ms: Date.now() - started });
    console.log(`FAILED: ${name}\n  ${message.split('\n').join('\n  ')}`);
    for (const [who, page] of Object.entries(pages)) {
      await page
        .screenshot({ path: join(artifactsDir, `courses-failure-${who}.png`), fullPage: true })
        .catch(() => undefined);
    }
  }
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.screenshot({ path: join(artifactsDir, `courses-${name}.png`), fullPage: true });
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/app/login');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The page's own title: the first level-1 heading (a lesson's Markdown may hold another). */
async function heading(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).first().waitFor({ timeout: 10_000 });
}

async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor({ timeout: 10_000 });
}

async function nav(page: Page, label: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
}

async function token(page: Page): Promise<string> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('tms.auth') ?? '{}').token as string);
}

/** Calls the API with the signed-in user's token, for the set-up that is not under test. */
async function apiPost(page: Page, path: string, data: unknown, expected: number[]): Promise<unknown> {
  const response = await page.request.post(path, { headers: { Authorization: `Bearer ${await token(page)}` }, data });
  check(expected.includes(response.status()), `POST ${path} answered ${response.status()}: ${await response.text()}`);
  return response.json();
}

/** The value of a learner's progress bar on the enrolments page. */
async function learnerProgress(page: Page, traineeId: number): Promise<number> {
  const bar = page.getByTestId(`learner-${traineeId}`).locator('progress');
  return Number(await bar.evaluate((el) => (el as HTMLProgressElement).value));
}

async function markSameDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { e2eMarker?: string }).e2eMarker = 'not reloaded';
  });
}

async function assertNotReloaded(page: Page, who: string): Promise<void> {
  const marker = await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker);
  check(marker === 'not reloaded', `the ${who}'s page was reloaded`);
}

async function main(): Promise<number> {
  let server: Server | null = null;
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  const watch = new ConsoleWatch();
  try {
    server = await startServer();
    console.log(`server: ${server.baseUrl}`);
    const { baseUrl } = server;
    const launched = await launchBrowser();
    browser = launched;
    const open = async (who: string) => {
      const context = await newUserContext(launched, baseUrl);
      contexts.push(context);
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      watch.attach(page, who);
      pages[who] = page;
      return page;
    };
    const admin = await open('admin');
    let traineeId = 0;
    let courseId = 0;

    await step('the admin creates a trainer and a trainee and assigns one to the other', async () => {
      await signIn(admin, 'admin', ADMIN_PASSWORD);
      await heading(admin, 'Dashboard');
      const trainer = (await apiPost(admin, '/users/', TRAINER, [200, 201])) as { user: { id: number } };
      const trainee = (await apiPost(admin, '/users/', TRAINEE, [200, 201])) as { user: { id: number } };
      traineeId = trainee.user.id;
      await apiPost(admin, '/assignments/', { student_id: traineeId, teacher_id: trainer.user.id }, [200, 201]);
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
      await shot(trainer, 'lesson-editor');
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
      // The cohort picker asks GET /batches/, which the server does not serve yet (404): the
      // picker stays hidden.
      await watch.expecting([/status of 404/], async () => {
        await trainer.getByRole('link', { name: 'Learners', exact: true }).click();
        await heading(trainer, `Learners: ${COURSE_TITLE}`);
        await trainer.getByLabel(`${TRAINEE.first_name} ${TRAINEE.last_name}`, { exact: false }).check();
        await trainer.getByLabel('Due date').fill('2099-12-31');
        await trainer.getByRole('button', { name: 'Enrol', exact: true }).click();
        await trainer.getByTestId('enrol-result').filter({ hasText: '1 enrolled.' }).waitFor({ timeout: 10_000 });
      });
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
      await shot(trainee, 'lesson-viewer');
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
      await shot(trainer, 'learners-live');
    });

    await step(
      'no console errors, CSP violations or uncaught exceptions',
      async () => {
        check(watch.problems.length === 0, watch.problems.join('\n'));
      },
      { independent: true },
    );
  } catch (error) {
    failed = true;
    console.log(`FAILED: harness: ${error instanceof Error ? error.message : String(error)}`);
    results.push({ name: 'harness', status: 'failed', error: String(error), ms: 0 });
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
  }
  const passed = results.filter((r) => r.status === 'passed').length;
  const failedCount = results.filter((r) => r.status === 'failed').length;
  const skipped = results.filter((r) => r.status === 'skipped').length;
  console.log(
    `\ne2e courses: ${passed} passed, ${failedCount} failed, ${skipped} skipped (artifacts in ${artifactsDir})`,
  );
  return failedCount ? 1 : 0;
}

process.exitCode = await main();
