/**
 * Importing users end to end, against a real server: the admin downloads the CSV template,
 * drops a small CSV with one bad row on the Import users page, sees the dry run's table
 * with the bad cell marked, confirms, watches the import finish (the bar follows
 * import_progress events), gets the summary, downloads errors.csv with the bad row and
 * its reason, and finds the new users on the Users page.
 *
 * Run with `npm run e2e:imports` after `npm run build`. Screenshots go to test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import { ADMIN_PASSWORD } from './harness.ts';
import { check, heading, nav, runScenario, Scenario, signIn, waitLive } from './scenario.ts';

const CSV = [
  'E-mail;First name;Surname;Role',
  'ida.import@e2e.test;Ida;Import;trainee',
  'not-an-address;Bad;Row;trainee',
  'tom.trainer@e2e.test;Tom;Trainer;trainer',
].join('\r\n');

const scenario = new Scenario('imports');
const step = scenario.step.bind(scenario);

process.exitCode = await runScenario(scenario, async ({ open }) => {
  const admin = await open('admin');

  await step('the admin opens Import users and downloads the CSV template', async () => {
    await signIn(admin, 'admin', ADMIN_PASSWORD);
    await heading(admin, 'Dashboard');
    await waitLive(admin);
    await nav(admin, 'Import users');
    await heading(admin, 'Import users');
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: 'Download the CSV template' }).click(),
    ]);
    const text = readFileSync(await download.path(), 'utf8');
    check(text.startsWith('email,first_name,last_name'), `the template starts ${text.slice(0, 40)}`);
  });

  await step('a dropped CSV is checked first: the bad cell is marked, nothing is written', async () => {
    await admin.getByLabel(/Drop a CSV or Excel file here/).setInputFiles({
      name: 'people.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\uFEFF${CSV}`, 'utf8'),
    });
    const summary = admin.getByTestId('dry-run-summary');
    await summary.waitFor({ timeout: 20_000 });
    const text = (await summary.textContent()) ?? '';
    check(/2\s+would be created/.test(text), `the dry run says: ${text}`);
    check(/1\s+with errors/.test(text), `the dry run says: ${text}`);
    const bad = admin.locator('[data-testid="rejected-rows"] tr[data-row="3"] td[data-column="email"]');
    await bad.waitFor();
    check((await bad.getAttribute('class'))?.includes('cell-error'), 'the bad e-mail is not marked');
    check((await bad.getAttribute('title'))?.includes('Not a valid e-mail'), 'the bad cell has no message');
    await scenario.shot(admin, 'dry-run');
  });

  await step('confirming imports the good rows and shows the summary', async () => {
    await admin.getByRole('button', { name: 'Import 2 rows' }).click();
    const summary = admin.getByTestId('import-summary');
    await summary.waitFor({ timeout: 30_000 });
    const text = (await summary.textContent()) ?? '';
    check(/2\s+created/.test(text), `the import says: ${text}`);
    check(/1\s+with errors/.test(text), `the import says: ${text}`);
    await scenario.shot(admin, 'finished');
  });

  await step('errors.csv holds the bad row with its reason', async () => {
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('button', { name: /Download the rows with errors/ }).click(),
    ]);
    const text = readFileSync(await download.path(), 'utf8');
    check(text.includes('not-an-address'), `errors.csv: ${text}`);
    check(text.includes('email: Not a valid e-mail address'), `errors.csv: ${text}`);
  });

  await step('the imported users are on the Users page', async () => {
    await nav(admin, 'Users');
    await heading(admin, 'Users');
    await admin.getByText('ida.import@e2e.test').first().waitFor();
    await admin.getByText('tom.trainer@e2e.test').first().waitFor();
  });
});
