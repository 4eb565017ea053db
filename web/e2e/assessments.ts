/**
 * Assessments end to end, against a real server: a trainer builds an assessment in the
 * course editor (a single-choice question and a written one, pass mark, attempts, a time
 * limit), publishes the course and enrols a trainee; the trainee takes it against the
 * countdown and is told their written answer waits for a trainer; the trainer grades it on
 * the Grading page; the trainee's open lesson shows the attempt passed and the lesson
 * completed without a reload.
 *
 * Run with `npm run e2e:assessments` after `npm run build`; screenshots go to test-artifacts/.
 */
import { ADMIN_PASSWORD } from './harness.ts';
import {
  apiCall,
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

const COURSE_TITLE = 'E2E Fire safety';
const TRAINER = {
  username: 'gus.grader',
  first_name: 'Gus',
  last_name: 'Grader',
  role: 'trainer',
  password: 'Trainer-Assess!E2E-2026',
} satisfies NewUser;
const TRAINEE = {
  username: 'tess.taker',
  first_name: 'Tess',
  last_name: 'Taker',
  role: 'trainee',
  password: 'Trainee-Assess!E2E-2026',
} satisfies NewUser;

const scenario = new Scenario('assessments');
const step = scenario.step.bind(scenario);

process.exitCode = await runScenario(scenario, async ({ open }) => {
  const admin = await open('admin');
  let traineeId = 0;
  let courseId = 0;
  let lessonId = 0;

  await step('the admin creates a trainer and a trainee', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await heading(admin, 'Dashboard');
    await createUserByApi(admin, TRAINER);
    traineeId = await createUserByApi(admin, TRAINEE);
  });

  const trainer = await open('trainer');
  await step('the trainer builds an assessment with a written question in the course editor', async () => {
    await signIn(trainer, TRAINER.username, TRAINER.password);
    await heading(trainer, 'My sessions');
    const course = (await apiPost(trainer, '/courses/', { title: COURSE_TITLE }, [201])) as { id: number };
    courseId = course.id;
    await apiPost(trainer, `/courses/${courseId}/modules`, { title: 'Basics' });
    await nav(trainer, 'Courses');
    await heading(trainer, 'Courses');
    await trainer
      .getByTestId(`course-row-${courseId}`)
      .getByRole('link', { name: `Edit ${COURSE_TITLE}` })
      .click();
    await heading(trainer, COURSE_TITLE);
    await trainer.getByRole('button', { name: 'Add lesson to Basics' }).click();
    await trainer.getByRole('dialog', { name: 'New lesson in “Basics”' }).waitFor();
    const dialog = trainer.getByRole('dialog');
    await dialog.getByLabel('Lesson title').fill('Fire quiz');
    await dialog.getByLabel('Kind').selectOption('assessment');
    const first = dialog.getByRole('listitem', { name: 'Question 1' });
    await first.getByLabel('Question 1', { exact: true }).fill('Which extinguisher for an electrical fire?');
    await first.getByLabel('Option 1 of question 1', { exact: true }).fill('Water');
    await first.getByLabel('Option 2 of question 1', { exact: true }).fill('CO2');
    await first.getByRole('checkbox', { name: 'Correct (option 2 of question 1)' }).check();
    await dialog.getByRole('button', { name: 'Add question: written answer' }).click();
    const second = dialog.getByRole('listitem', { name: 'Question 2' });
    await second.getByLabel('Question 2', { exact: true }).fill('Where is the assembly point?');
    await second.getByLabel('Question 2 points', { exact: true }).fill('2');
    await dialog.getByLabel('Pass mark (%)').fill('50');
    await dialog.getByLabel('Attempts allowed').fill('2');
    await dialog.getByLabel('Time limit (minutes)').fill('10');
    await scenario.shot(trainer, 'assessment-editor');
    await dialog.getByRole('button', { name: 'Add lesson' }).click();
    await dialog.getByRole('button', { name: 'Save lesson' }).waitFor({ timeout: 10_000 });
    await dialog.getByText('Close', { exact: true }).click();
    await trainer.getByRole('button', { name: 'Publish', exact: true }).click();
    await trainer.getByRole('button', { name: 'Archive', exact: true }).waitFor({ timeout: 10_000 });
    const read = (await apiCall(trainer, 'GET', `/courses/${courseId}`, undefined, [200])) as {
      modules: { lessons: { id: number; assessment: { questions: unknown[] } | null }[] }[];
    };
    const lesson = read.modules[0].lessons[0];
    check(lesson.assessment?.questions.length === 2, 'the assessment was not saved with its two questions');
    lessonId = lesson.id;
    await apiPost(trainer, `/courses/${courseId}/enrolments`, { trainee_ids: [traineeId] });
  });

  const trainee = await open('trainee');
  await step('the trainee takes the assessment against the countdown', async () => {
    await signIn(trainee, TRAINEE.username, TRAINEE.password);
    await heading(trainee, 'My training');
    await waitLive(trainee);
    await nav(trainee, 'My learning');
    await heading(trainee, 'My learning');
    const card = trainee.getByTestId(`my-course-${courseId}`);
    await card.waitFor({ timeout: 10_000 });
    await card.getByRole('link', { name: `Start ${COURSE_TITLE}` }).click();
    await heading(trainee, 'Fire quiz');
    check(trainee.url().endsWith(`/lessons/${lessonId}`), `the trainee is not on the assessment: ${trainee.url()}`);
    await trainee.getByRole('button', { name: 'Start the assessment' }).click();
    const timer = trainee.getByRole('timer');
    await timer.waitFor({ timeout: 10_000 });
    const shown = (await timer.textContent()) ?? '';
    check(/Time left (10:00|9:\d\d)/.test(shown), `the countdown shows ${shown}`);
    const form = trainee.getByRole('form', { name: 'Your attempt' });
    await form.getByRole('radio', { name: 'CO2' }).check();
    await form.getByLabel('Answer to question 2').fill('By the car park gate');
    await scenario.shot(trainee, 'assessment-player');
    await form.getByRole('button', { name: 'Submit answers' }).click();
    await trainee
      .getByTestId('attempt-result')
      .filter({ hasText: 'Waiting for a trainer to grade the written answers (33.3% so far)' })
      .waitFor({ timeout: 10_000 });
    await markSameDocument(trainee);
  });

  await step('the trainer grades the written answer on the Grading page', async () => {
    await nav(trainer, 'Grading');
    await heading(trainer, 'Grading');
    const attempt = trainer.getByRole('form', { name: `Attempt 1 by ${TRAINEE.first_name} ${TRAINEE.last_name}` });
    await attempt
      .getByTestId('written-answer')
      .filter({ hasText: 'By the car park gate' })
      .waitFor({ timeout: 10_000 });
    await attempt.getByLabel(/Points for/).fill('1');
    await scenario.shot(trainer, 'grading-queue');
    await attempt.getByRole('button', { name: 'Grade' }).click();
    await trainer.getByText('Nothing waits to be graded.').waitFor({ timeout: 10_000 });
  });

  await step('the trainee sees the attempt passed and the lesson completed, live', async () => {
    await trainee
      .getByTestId('past-attempt')
      .filter({ hasText: 'Attempt 1: 66.7% · Passed' })
      .waitFor({ timeout: LIVE_TIMEOUT * 2 });
    await trainee.getByTestId('lesson-done').waitFor({ timeout: LIVE_TIMEOUT * 2 });
    await trainee.getByText('Results of attempt 1').click();
    await trainee.getByText('CO2 (correct)').waitFor();
    await assertNotReloaded(trainee, 'trainee');
    await scenario.shot(trainee, 'assessment-passed');
  });
});
