/**
 * Single sign-on in the browser, against a real OpenID Connect provider on loopback (the
 * oidc-provider-mock package, started here with a predefined user): the sign-in page shows
 * the provider's button, the provider signs the user in, and the web client lands signed in
 * as the account the server made, with the role the provider's roles map to; signing out
 * goes through the provider's end-session page.
 *
 * Run with `npm run e2e:oidc` after `npm run build` (tests/browser/test_web_client.py does).
 * The provider runs with the Python beside the `tms` command (TMS_BIN). Screenshots and the
 * provider's log go to test-artifacts/.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { artifactsDir, freePort, repoDir } from './harness.ts';
import { check, runScenario, Scenario, stored } from './scenario.ts';

const SUBJECT = 'e2e-oidc-ada';
const CLAIMS = {
  sub: SUBJECT,
  email: 'ada.sso@e2e.test',
  email_verified: true,
  preferred_username: 'ada.sso',
  given_name: 'Ada',
  family_name: 'Sso',
  realm_access: { roles: ['tms-trainers'] },
};

async function startProvider(): Promise<{ issuer: string; process: ChildProcess }> {
  const tms = process.env.TMS_BIN ?? join(repoDir, '.venv', 'bin', 'tms');
  const python = join(dirname(tms), 'python');
  const port = await freePort();
  mkdirSync(artifactsDir, { recursive: true });
  const log = createWriteStream(join(artifactsDir, 'e2e-oidc-provider.log'));
  const provider = spawn(
    python,
    ['-m', 'oidc_provider_mock', '--port', String(port), '--require-nonce', '--user-claims', JSON.stringify(CLAIMS)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  provider.stdout?.pipe(log);
  provider.stderr?.pipe(log);
  const issuer = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (provider.exitCode !== null) throw new Error(`the OIDC provider exited with code ${provider.exitCode}`);
    try {
      const answer = await fetch(`${issuer}/.well-known/openid-configuration`);
      if (answer.ok) return { issuer, process: provider };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  provider.kill('SIGKILL');
  throw new Error('the OIDC provider did not answer within 30 s');
}

async function signInWithProvider(page: Page, issuer: string): Promise<void> {
  await page.goto('/app/login');
  const button = page.getByRole('link', { name: 'Sign in with E2E Identity' });
  await button.waitFor({ timeout: 10_000 });
  await button.click();
  await page.waitForURL((url) => url.href.startsWith(issuer), { timeout: 10_000 });
  await page.getByRole('button', { name: SUBJECT }).click();
}

const scenario = new Scenario('oidc');
const step = scenario.step.bind(scenario);

async function main(): Promise<number> {
  let provider: ChildProcess | null = null;
  try {
    const started = await startProvider();
    provider = started.process;
    const { issuer } = started;
    console.log(`provider: ${issuer}`);
    return await runScenario(
      scenario,
      async ({ open }) => {
        const page = await open('sso');
        let userId = 0;

        await step('the provider button signs in and lands on the trainer home', async () => {
          await signInWithProvider(page, issuer);
          // The trainer's home: signed in as the account the server made on this first sign-in.
          await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor({ timeout: 15_000 });
          check(!page.url().includes('code='), `the one-time code stayed in the address: ${page.url()}`);
          const { user } = await stored(page);
          check(user?.username === 'ada.sso', `signed in as ${JSON.stringify(user)}`);
          check(user?.role === 'trainer', `the provider's role was not mapped: ${user?.role}`);
          userId = user.id;
          await scenario.shot(page, 'signed-in');
        });

        await step('signing out ends the sign-in here and goes to the provider', async () => {
          const menu = page.getByRole('button', { name: 'Menu' });
          if (await menu.isVisible()) await menu.click();
          await page.getByRole('button', { name: 'Sign out' }).click();
          await page.waitForURL((url) => url.href.startsWith(`${issuer}/oauth2/end_session`), { timeout: 10_000 });
          const after = await page.evaluate(() => sessionStorage.getItem('tms.auth'));
          check(after === null, 'the sign-in was kept after signing out');
        });

        await step('a second sign-in is the same account', async () => {
          await signInWithProvider(page, issuer);
          await page.getByRole('heading', { level: 1, name: 'My sessions' }).waitFor({ timeout: 15_000 });
          const { user } = await stored(page);
          check(user?.id === userId, 'a second sign-in made another account');
        });
      },
      {
        server: {
          env: (baseUrl) => ({
            TMS_PUBLIC_URL: baseUrl,
            TMS_OIDC_ISSUER: issuer,
            TMS_OIDC_CLIENT_ID: 'tms-e2e',
            TMS_OIDC_CLIENT_SECRET: 'tms-e2e-secret',
            TMS_OIDC_PROVIDER_NAME: 'E2E Identity',
            TMS_OIDC_ROLE_MAP: 'tms-trainers=trainer',
          }),
        },
        // The provider's own pages load a stylesheet from the internet and have no icon: theirs, not ours.
        ignoreConsole: (problem) => problem.includes(issuer) || problem.includes('cdn.jsdelivr.net'),
      },
    );
  } catch (error) {
    scenario.harnessFailed(error);
    return scenario.summary();
  } finally {
    provider?.kill('SIGTERM');
  }
}

process.exitCode = await main();
