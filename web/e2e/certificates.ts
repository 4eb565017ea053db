/**
 * Certificates end to end, against a real server: a trainee completes a course in My
 * learning, downloads the certificate's PDF from My certificates; the QR code is read out
 * of the PDF (tests/browser/qr_from_pdf.py, as a scanner would) and its URL opened in a
 * browser that is not signed in, which shows the certificate valid; after the admin revokes
 * it on the Certificates page, the same page shows it no longer valid.
 *
 * Run with `npm run e2e:certificates` after `npm run build` (TMS_E2E_PYTHON: the Python
 * with pypdf and zxing-cpp, the project's .venv by default); screenshots go to test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_PASSWORD, artifactsDir, repoDir } from './harness.ts';
import { apiPost, check, createUserByApi, heading, nav, runScenario, Scenario, signIn } from './scenario.ts';

const COURSE_TITLE = 'E2E Working at height';
const TRAINEE = {
  username: 'cara.cert',
  first_name: 'Cara',
  last_name: 'Certified',
  password: 'Trainee-Certs!E2E-2026',
};
const python = process.env.TMS_E2E_PYTHON ?? join(repoDir, '.venv', 'bin', 'python');

const scenario = new Scenario('certificates');

process.exitCode = await runScenario(
  scenario,
  async ({ open, baseUrl }) => {
    const admin = await open('admin');
    let traineeId = 0;
    let courseId = 0;
    let verifyUrl = '';

    await scenario.step(
      'a published course with a yearly certificate, a trainee enrolled (through the API)',
      async () => {
        await signIn(admin, 'admin', ADMIN_PASSWORD);
        await heading(admin, 'Dashboard');
        traineeId = await createUserByApi(admin, { ...TRAINEE, role: 'trainee' });
        const course = (await apiPost(
          admin,
          '/courses/',
          { title: COURSE_TITLE, certificate_valid_months: 12 },
          [201],
        )) as { id: number };
        courseId = course.id;
        const module = (await apiPost(admin, `/courses/${courseId}/modules`, { title: 'Basics' })) as { id: number };
        await apiPost(admin, `/modules/${module.id}/lessons`, { title: 'Read', kind: 'text', body: 'Hold on' });
        await apiPost(admin, `/courses/${courseId}/publish`, {}, [200]);
        await apiPost(admin, `/courses/${courseId}/enrolments`, { trainee_ids: [traineeId] }, [200]);
      },
    );

    const trainee = await open('trainee');
    await scenario.step('the trainee completes the course in My learning', async () => {
      await signIn(trainee, TRAINEE.username, TRAINEE.password);
      await heading(trainee, 'My training');
      await nav(trainee, 'My learning');
      const card = trainee.getByTestId(`my-course-${courseId}`);
      await card.getByRole('link', { name: `Start ${COURSE_TITLE}` }).click();
      await trainee.getByRole('button', { name: 'Mark complete' }).click();
      await trainee.getByTestId('lesson-done').waitFor({ timeout: 10_000 });
    });

    await scenario.step(
      'the trainee downloads the certificate PDF and its QR code holds the verification URL',
      async () => {
        await nav(trainee, 'My certificates');
        await heading(trainee, 'My certificates');
        const table = trainee.getByTestId('certificates-table');
        await table.getByRole('cell', { name: COURSE_TITLE, exact: true }).waitFor();
        await scenario.shot(trainee, 'my-certificates');
        const [download] = await Promise.all([
          trainee.waitForEvent('download'),
          table.getByRole('button', { name: `PDF of ${COURSE_TITLE}` }).click(),
        ]);
        const saved = join(artifactsDir, 'certificate.pdf');
        await download.saveAs(saved);
        check(existsSync(saved), 'the PDF was not saved');
        verifyUrl = execFileSync(python, [join(repoDir, 'tests', 'browser', 'qr_from_pdf.py'), saved], {
          encoding: 'utf8',
        }).trim();
        check(
          verifyUrl.startsWith(`${baseUrl}/app/verify/`),
          `the QR code holds ${verifyUrl}, not a verification URL of ${baseUrl}`,
        );
      },
    );

    const visitor = await open('visitor');
    await scenario.step('anyone opening the URL, without signing in, sees the certificate valid', async () => {
      await visitor.goto(verifyUrl);
      const verdict = visitor.getByTestId('verify-verdict');
      await verdict.filter({ hasText: 'This certificate is valid.' }).waitFor();
      check((await verdict.getAttribute('data-status')) === 'valid', 'the verdict is not "valid"');
      await visitor.getByText(`${TRAINEE.first_name} ${TRAINEE.last_name}`).waitFor();
      await visitor.getByText(COURSE_TITLE).waitFor();
      await scenario.shot(visitor, 'verify-valid');
    });

    await scenario.step(
      'the admin revokes it on the Certificates page; the same page then shows it no longer valid',
      async () => {
        await nav(admin, 'Certificates');
        await heading(admin, 'Certificates');
        const code = decodeURIComponent(verifyUrl.split('/').pop() ?? '');
        const table = admin.getByTestId('certificates-table');
        await table.getByRole('button', { name: `Revoke ${code}` }).click();
        await admin.getByRole('dialog').getByRole('button', { name: 'Revoke certificate' }).click();
        await admin.getByText(`Certificate ${code} revoked`).waitFor();
        await visitor.goto(verifyUrl);
        await visitor
          .getByTestId('verify-verdict')
          .filter({ hasText: 'This certificate is no longer valid' })
          .waitFor();
        await scenario.shot(visitor, 'verify-revoked');
      },
    );
  },
  { server: { env: (baseUrl) => ({ TMS_PUBLIC_URL: baseUrl }) } },
);
