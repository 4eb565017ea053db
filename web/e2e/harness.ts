/** Starts a real TMS server on a temporary SQLite file and a headless Chromium. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type ConsoleMessage, chromium, type Page } from 'playwright-core';

export const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(webDir, '..');
export const artifactsDir = resolve(process.env.TMS_E2E_ARTIFACTS ?? join(repoDir, 'test-artifacts'));
export const chromiumPath = process.env.TMS_E2E_CHROMIUM ?? '/usr/bin/chromium';
export const ADMIN_PASSWORD = 'E2e-Admin!Secret-2026';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(baseUrl: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`the server exited with code ${server.exitCode} before it was healthy`);
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`GET /health did not answer 200 within ${timeoutMs / 1000}s (last: ${last})`);
}

/** The browser only renders the client if the server names its files' types correctly. */
async function checkClientIsServed(baseUrl: string): Promise<void> {
  const index = await fetch(`${baseUrl}/app/`);
  const type = index.headers.get('content-type') ?? '(none)';
  if (index.status !== 200 || !type.startsWith('text/html')) {
    throw new Error(
      `GET /app/ answered HTTP ${index.status} with Content-Type ${type}; the server must serve web/dist/index.html as text/html`,
    );
  }
  const html = await index.text();
  const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
  if (script) {
    const asset = await fetch(`${baseUrl}${script}`);
    const assetType = asset.headers.get('content-type') ?? '(none)';
    if (asset.status !== 200 || !/javascript/.test(assetType)) {
      throw new Error(
        `GET ${script} answered HTTP ${asset.status} with Content-Type ${assetType}; module scripts need a JavaScript type`,
      );
    }
  }
}

export interface Server {
  baseUrl: string;
  stop: () => Promise<void>;
}

export interface ServerOptions {
  /** More settings for the server, given its address (e.g. TMS_PUBLIC_URL, TMS_OIDC_*). */
  env?: (baseUrl: string) => Record<string, string>;
}

export async function startServer(options: ServerOptions = {}): Promise<Server> {
  const tms = process.env.TMS_BIN ?? join(repoDir, '.venv', 'bin', 'tms');
  if (!existsSync(tms)) throw new Error(`the tms command was not found at ${tms} (set TMS_BIN)`);
  const dist = join(webDir, 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('web/dist is not built: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'tms-e2e-'));
  const port = await freePort();
  mkdirSync(artifactsDir, { recursive: true });
  const log = createWriteStream(join(artifactsDir, 'e2e-server.log'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = spawn(tms, ['serve', '--host', '127.0.0.1', '--port', String(port)], {
    env: {
      ...process.env,
      TMS_DATABASE_URL: `sqlite+aiosqlite:///${join(dataDir, 'e2e.db')}`,
      TMS_ADMIN_USERNAME: 'admin',
      TMS_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TMS_WEB_DIST: dist,
      ...options.env?.(baseUrl),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.pipe(log);
  server.stderr?.pipe(log);
  const stop = async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await Promise.race([new Promise((r) => server.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, server, 60_000);
    await checkClientIsServed(baseUrl);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, stop };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium was not found at ${chromiumPath}`);
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
}

/** Console errors and uncaught exceptions seen by a page, minus the ones a step expects. */
export class ConsoleWatch {
  readonly problems: string[] = [];
  private expected: RegExp[] = [];

  attach(page: Page, who: string): void {
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() !== 'error' && message.type() !== 'warning') return;
      const text = message.text();
      if (message.type() === 'warning' && !/Content Security Policy|Refused/i.test(text)) return;
      if (this.expected.some((pattern) => pattern.test(text))) return;
      this.problems.push(`[${who}] console ${message.type()}: ${text} (${message.location().url})`);
    });
    page.on('pageerror', (error) => this.problems.push(`[${who}] uncaught: ${error.message}`));
  }

  /** Lets a step's deliberate failures (a wrong password's 401) pass. */
  async expecting<T>(patterns: RegExp[], fn: () => Promise<T>): Promise<T> {
    this.expected.push(...patterns);
    try {
      return await fn();
    } finally {
      this.expected = this.expected.filter((p) => !patterns.includes(p));
    }
  }
}

/** The browser's time zone in every scenario (its dates and the agenda's days are there). */
export const BROWSER_TIME_ZONE = 'Europe/Berlin';

/** The hour (0 to 23) of ``moment`` on the browser's clock. */
export function browserHour(moment: Date): number {
  const hour = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone: BROWSER_TIME_ZONE });
  return Number(hour.format(moment));
}

export async function newUserContext(
  browser: Browser,
  baseUrl: string,
  options: { mobile?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: baseUrl,
    acceptDownloads: true,
    timezoneId: BROWSER_TIME_ZONE,
    locale: 'en-GB',
    viewport: options.mobile ? { width: 360, height: 780 } : { width: 1280, height: 900 },
    deviceScaleFactor: 1,
    isMobile: Boolean(options.mobile),
    hasTouch: Boolean(options.mobile),
  });
}
