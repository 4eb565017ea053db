/**
 * Achievements end to end, against a real server: a trainee watching their profile
 * completes their first course's only lesson and the achievement arrives live (a toast, then
 * the Achievements list), with the completion in their Activity; the admin then finds the
 * same achievement and activity on the trainee's page, reached from the Users list.
 *
 * Run with `npm run e2e:achievements` after `npm run build`; screenshots go to test-artifacts/.
 */
import { ADMIN_PASSWORD } from './harness.ts';
import {
  apiCall,
  apiPost,
  createPublishedCourseByApi,
  createUserByApi,
  heading,
  nav,
  runScenario,
  Scenario,
  signIn,
  waitLive,
} from './scenario.ts';

const PASSWORD = 'Trainee-Achieve!E2E-2026';
const TRAINEE = { username: 'ada.achiever', first_name: 'Ada', last_name: 'Achiever' };
const TITLE = 'First course completed';

const scenario = new Scenario('achievements');

process.exitCode = await runScenario(scenario, async ({ open }) => {
  const admin = await open('admin');
  const trainee = await open('trainee');
  let traineeId = 0;
  let lessonId = 0;

  await scenario.step('the admin enrols a trainee in a published course (through the API)', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await heading(admin, 'Dashboard');
    traineeId = await createUserByApi(admin, { ...TRAINEE, role: 'trainee', password: PASSWORD });
    const courseId = await createPublishedCourseByApi(admin, 'E2E Ladder safety');
    await apiPost(admin, `/courses/${courseId}/enrolments`, { trainee_ids: [traineeId] }, [200]);
    const course = (await apiCall(admin, 'GET', `/courses/${courseId}`, null, [200])) as {
      modules: { lessons: { id: number }[] }[];
    };
    lessonId = course.modules[0].lessons[0].id;
  });

  await scenario.step('the trainee opens their profile: no achievements yet', async () => {
    await signIn(trainee, TRAINEE.username, PASSWORD);
    await trainee.waitForURL(/\/app\/(?!login)/);
    await trainee.goto('/app/profile');
    await heading(trainee, 'Your profile');
    await waitLive(trainee);
    await trainee
      .getByRole('region', { name: 'Achievements' })
      .getByText(/No achievements yet/)
      .waitFor();
  });

  await scenario.step('completing the course brings the achievement live, and the activity shows it', async () => {
    await apiPost(trainee, `/lessons/${lessonId}/complete`, {}, [200]);
    await trainee.getByText('Achievement unlocked').waitFor();
    await trainee.getByRole('region', { name: 'Achievements' }).getByText(TITLE).waitFor();
    const activity = trainee.getByRole('region', { name: 'Activity' });
    await activity.getByText(`Earned the achievement “${TITLE}”`).waitFor();
    await activity.getByText('Completed a lesson').waitFor();
    await activity.getByText('Signed in').first().waitFor();
    await scenario.shot(trainee, 'profile-achievements');
  });

  await scenario.step("the admin sees them on the trainee's page, from the Users list", async () => {
    await nav(admin, 'Users');
    await heading(admin, 'Users');
    await admin.getByRole('link', { name: `${TRAINEE.first_name} ${TRAINEE.last_name}` }).click();
    await heading(admin, `${TRAINEE.first_name} ${TRAINEE.last_name}`);
    await admin.getByRole('region', { name: 'Achievements' }).getByText(TITLE).waitFor();
    await admin.getByRole('region', { name: 'Activity' }).getByText('Completed a lesson').waitFor();
    await scenario.shot(admin, 'user-detail');
  });
});
