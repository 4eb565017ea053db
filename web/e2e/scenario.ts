/**
 * What every browser scenario is made of (harness.ts starts the server and the browser):
 * named steps (a failure skips the steps that depend on it and leaves screenshots in
 * test-artifacts/), checks, the tally and the exit code, the run itself (server, browser,
 * one context a user, the console watched), the moves every scenario makes (sign in, follow
 * the main navigation) and the API set-up not under test (users, sessions, courses) with the
 * signed-in user's token.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  artifactsDir,
  ConsoleWatch,
  launchBrowser,
  newUserContext,
  type Server,
  type ServerOptions,
  startServer,
} from './harness.ts';

/** How long a change made by one user may take to show on another's open page. */
export const LIVE_TIMEOUT = 5_000;

type Result = { name: string; status: 'passed' | 'failed' | 'skipped'; error?: string; ms: number };

export class Scenario {
  readonly results: Result[] = [];
  readonly pages: Record<string, Page> = {};
  failed = false;

  /** The name prefixes its screenshots and its tally; the main scenario (run.ts) has none. */
  constructor(readonly name = '') {}

  private file(name: string): string {
    return join(artifactsDir, `${this.name ? `${this.name}-` : ''}${name}.png`);
  }

  /** Runs one step; after a failed step the rest are skipped unless they can stand alone. */
  async step(name: string, fn: () => Promise<void>, options: { independent?: boolean } = {}): Promise<void> {
    if (this.failed && !options.independent) {
      this.results.push({ name, status: 'skipped', ms: 0 });
      console.log(`- skipped: ${name}`);
      return;
    }
    const started = Date.now();
    try {
      await fn();
      this.results.push({ name, status: 'passed', ms: Date.now() - started });
      console.log(`ok: ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      if (!options.independent) this.failed = true;
      const message = error instanceof Error ? error.message : String(error);
      this.results.push({ name, status: 'failed', error: message, ms: Date.now() - started });
      console.log(`FAILED: ${name}\n  ${message.split('\n').join('\n  ')}`);
      for (const [who, page] of Object.entries(this.pages)) {
        await page.screenshot({ path: this.file(`failure-${who}`), fullPage: true }).catch(() => undefined);
      }
    }
  }

  harnessFailed(error: unknown): void {
    this.failed = true;
    console.log(`FAILED: harness: ${error instanceof Error ? error.message : String(error)}`);
    this.results.push({ name: 'harness', status: 'failed', error: String(error), ms: 0 });
  }

  /** A screenshot of the page once it has settled (no request and no loading indicator left). */
  async shot(page: Page, name: string): Promise<void> {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 10_000 });
    await page.screenshot({ path: this.file(name), fullPage: true });
  }

  /** Prints the tally; the process's exit code (1 when a step failed). */
  summary(): number {
    const count = (status: Result['status']) => this.results.filter((r) => r.status === status).length;
    console.log(
      `\ne2e${this.name ? ` ${this.name}` : ''}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped (artifacts in ${artifactsDir})`,
    );
    return count('failed') ? 1 : 0;
  }
}

/** What a scenario's body is given: the server's address, the console watch, and a new user's page. */
export interface Run {
  baseUrl: string;
  watch: ConsoleWatch;
  /** A page in a browser context of its own (a user of its own), watched and screenshotted on failure. */
  open: (who: string, options?: { mobile?: boolean }) => Promise<Page>;
}

export interface RunOptions {
  server?: ServerOptions;
  /** Console problems that are not the client's (e.g. an identity provider's own pages). */
  ignoreConsole?: (problem: string) => boolean;
}

/**
 * Starts the server and the browser, runs the body's steps, then checks the console stayed
 * clean; closes everything and returns the exit code.
 */
export async function runScenario(
  scenario: Scenario,
  body: (run: Run) => Promise<void>,
  options: RunOptions = {},
): Promise<number> {
  let server: Server | null = null;
  let browser: Browser | null = null;
  const contexts: BrowserContext[] = [];
  const watch = new ConsoleWatch();
  try {
    server = await startServer(options.server);
    console.log(`server: ${server.baseUrl}`);
    const { baseUrl } = server;
    const launched = await launchBrowser();
    browser = launched;
    const open = async (who: string, openOptions: { mobile?: boolean } = {}) => {
      const context = await newUserContext(launched, baseUrl, openOptions);
      contexts.push(context);
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      watch.attach(page, who);
      scenario.pages[who] = page;
      return page;
    };
    await body({ baseUrl, watch, open });
    await scenario.step(
      'no console errors, CSP violations or uncaught exceptions',
      async () => {
        const problems = watch.problems.filter((problem) => !options.ignoreConsole?.(problem));
        check(problems.length === 0, problems.join('\n'));
      },
      { independent: true },
    );
  } catch (error) {
    scenario.harnessFailed(error);
  } finally {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop().catch(() => undefined);
  }
  return scenario.summary();
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/app/login');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The page's own title: its first level-1 heading (a lesson's Markdown may hold another). */
export async function heading(page: Page, name: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).first().waitFor({ timeout: 10_000 });
}

export async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor({ timeout: 10_000 });
}

export async function nav(page: Page, label: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible()) await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true }).click();
}

/** Closes the toasts so that a screenshot shows what is under them. */
export async function dismissToasts(page: Page): Promise<void> {
  const buttons = page.getByRole('button', { name: /^Dismiss:/ });
  // A toast may time out on its own meanwhile.
  while ((await buttons.count()) > 0)
    await buttons
      .first()
      .click({ timeout: 1_000 })
      .catch(() => undefined);
}

/** Creates a user in the Users page's dialog; the temporary password it shows once. */
export async function createUserInDialog(
  page: Page,
  person: { username: string; email: string; first: string; last: string; role: string },
): Promise<string> {
  await nav(page, 'Users');
  await heading(page, 'Users');
  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog', { name: 'New user' });
  await dialog.getByLabel('Username').fill(person.username);
  await dialog.getByLabel('Email').fill(person.email);
  await dialog.getByLabel('First name').fill(person.first);
  await dialog.getByLabel('Last name').fill(person.last);
  await dialog.getByLabel('Role').selectOption(person.role);
  await dialog.getByRole('button', { name: 'Create user' }).click();
  const created = page.getByRole('dialog', { name: 'User created' });
  const field = created.getByTestId('temporary-password');
  await field.waitFor({ timeout: 10_000 });
  const password = await field.inputValue();
  check(password.length >= 8, `the temporary password shown is too short: "${password}"`);
  await created.getByRole('button', { name: 'Copy' }).waitFor();
  await created.getByRole('button', { name: 'Done' }).click();
  await page.getByTestId(`user-row-${person.username}`).waitFor();
  return password;
}

/** Changes a temporary password where the client sends the user after signing in with one. */
export async function changeForcedPassword(page: Page, password: string, watch: ConsoleWatch): Promise<void> {
  await page.waitForURL('**/app/change-password', { timeout: 10_000 });
  await heading(page, 'Change your password');
  await page.getByLabel('New password', { exact: true }).fill('short');
  await page.getByText('At least 8 characters (5 so far)', { exact: false }).waitFor();
  await watch.expecting([/status of 422/], async () => {
    await page.getByLabel('New password', { exact: true }).fill('password');
    await page.getByLabel('Repeat the new password').fill('password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('.field-errors').getByText('This password is too common.').waitFor({ timeout: 10_000 });
  });
  await page.getByLabel('New password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the new password').fill(password);
  await page.getByText('Length OK', { exact: false }).waitFor();
  await page.getByRole('button', { name: 'Change password' }).click();
}

/** A datetime-local value for tomorrow at `hour`:00. */
export function tomorrowAt(hour: number): string {
  return dayAt(1, hour);
}

/** A datetime-local value `days` from today at `hour`:00. */
export function dayAt(days: number, hour: number): string {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(hour)}:00`;
}

/** Checks that neither the page nor a part of it scrolls or clips sideways. */
export async function noHorizontalScroll(page: Page, what: string): Promise<void> {
  const { scroll, width, clipped } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
    // A container that scrolls or clips sideways hides part of its content on a phone.
    clipped: Array.from(document.querySelectorAll<HTMLElement>('main .table-wrap, main .card, main section'))
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => `${el.className || el.tagName} (${el.scrollWidth}px in ${el.clientWidth}px)`),
  }));
  check(scroll <= width + 1, `${what} scrolls sideways at ${width}px (content is ${scroll}px wide)`);
  check(clipped.length === 0, `${what} clips content sideways at ${width}px: ${clipped.join(', ')}`);
}

/** Checks that a calendar feed answers, without a sign-in, a text/calendar holding the session. */
export async function checkCalendarFeed(page: Page, url: string, sessionTitle: string): Promise<void> {
  const feed = await page.request.get(url);
  check(feed.status() === 200, `the feed answered ${feed.status()}`);
  const type = feed.headers()['content-type'] ?? '';
  check(type.startsWith('text/calendar'), `the feed answered Content-Type ${type}`);
  const body = await feed.text();
  check(body.startsWith('BEGIN:VCALENDAR') && body.includes(sessionTitle), 'the feed lacks the session');
}

/** Marks the document so that a later check can tell it was not reloaded. */
export async function markSameDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { e2eMarker?: string }).e2eMarker = 'not reloaded';
  });
}

export async function assertNotReloaded(page: Page, who: string): Promise<void> {
  const marker = await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker);
  check(marker === 'not reloaded', `the ${who}'s page was reloaded`);
}

/** The signed-in user as the client keeps it (token and user). */
export async function stored(
  page: Page,
): Promise<{ token?: string; user?: { id: number; username: string; role: string } }> {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem('tms.auth') ?? '{}'));
}

/** Calls the API with the signed-in user's token, for the set-up that is not under test. */
export async function apiCall(
  page: Page,
  method: 'GET' | 'POST',
  path: string,
  data: unknown,
  expected: number[],
): Promise<unknown> {
  const headers = { Authorization: `Bearer ${(await stored(page)).token}` };
  const response =
    method === 'GET' ? await page.request.get(path, { headers }) : await page.request.post(path, { headers, data });
  check(
    expected.includes(response.status()),
    `${method} ${path} answered ${response.status()}: ${await response.text()}`,
  );
  return response.json();
}

export async function apiPost(
  page: Page,
  path: string,
  data: unknown,
  expected: number[] = [200, 201],
): Promise<unknown> {
  return apiCall(page, 'POST', path, data, expected);
}

export interface NewUser {
  username: string;
  first_name: string;
  last_name: string;
  role: 'admin' | 'trainer' | 'trainee';
  /** `<username>@e2e.test` unless given. */
  email?: string;
  /** A password of the user's own (not to be changed at the first sign-in) unless none is given. */
  password?: string;
}

/** Creates a user through the API; its id. */
export async function createUserByApi(page: Page, user: NewUser): Promise<number> {
  const body = {
    email: `${user.username}@e2e.test`,
    ...user,
    ...(user.password ? { is_temporary_password: false } : {}),
  };
  const made = (await apiPost(page, '/users/', body, [201])) as { user: { id: number } };
  return made.user.id;
}

/** Creates a session through the API (no trainee, not open to booking unless given); its id. */
export async function createSessionByApi(
  page: Page,
  session: { title: string; trainer_id: number; scheduled_date: string; duration_minutes?: number },
): Promise<number> {
  const body = { duration_minutes: 60, self_booking: false, trainees: [], ...session };
  return ((await apiPost(page, '/sessions/', body)) as { id: number }).id;
}

/** Creates a course with one module holding one text lesson, and publishes it; its id. */
export async function createPublishedCourseByApi(page: Page, title: string): Promise<number> {
  const course = (await apiPost(page, '/courses/', { title }, [201])) as { id: number };
  const module = (await apiPost(page, `/courses/${course.id}/modules`, { title: 'Basics' })) as { id: number };
  await apiPost(page, `/modules/${module.id}/lessons`, { title: 'Read', kind: 'text', body: 'Hi' });
  await apiPost(page, `/courses/${course.id}/publish`, {}, [200]);
  return course.id;
}
