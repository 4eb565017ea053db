/**
 * Partners' integrations end to end, against a real server and a real webhook receiver on
 * loopback (the server runs with TMS_WEBHOOK_ALLOW_PRIVATE=true, as tests do): the admin
 * creates an API client on the API clients page and sees its secret once, and not again;
 * creates a webhook to the receiver; a room is created (the event); the receiver gets the
 * message signed (checked here with node:crypto, apart from the server's own signing) and
 * the webhook's delivery log shows it; the admin then revokes the client.
 *
 * Run with `npm run e2e:integrations` after `npm run build`; screenshots go to test-artifacts/.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_PASSWORD } from './harness.ts';
import { apiCall, apiPost, check, heading, nav, runScenario, Scenario, signIn } from './scenario.ts';

const CLIENT_NAME = 'E2E Partner';
const ROOM = 'E2E Harbour room';

interface Message {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver that answers 204 to every POST and keeps what it got. */
async function startReceiver(): Promise<{ url: string; received: Message[]; close: () => Promise<void> }> {
  const received: Message[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed by the secret's base64 after `whsec_`. */
function signedBy(secret: string, message: Message): boolean {
  const id = String(message.headers['webhook-id'] ?? '');
  const timestamp = String(message.headers['webhook-timestamp'] ?? '');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${message.body}`).digest('base64'));
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return (
    fresh &&
    String(message.headers['webhook-signature'] ?? '')
      .split(' ')
      .some((given) => {
        const value = Buffer.from(given.replace(/^v1,/, ''));
        return given.startsWith('v1,') && value.length === expected.length && timingSafeEqual(value, expected);
      })
  );
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} within ${ms / 1000} s`);
}

const scenario = new Scenario('integrations');
const receiver = await startReceiver();

process.exitCode = await runScenario(
  scenario,
  async ({ open }) => {
    const admin = await open('admin');
    let clientSecret = '';
    let hookSecret = '';
    let hookId = 0;

    await scenario.step('the admin creates an API client and sees its secret once', async () => {
      await signIn(admin, 'admin', ADMIN_PASSWORD);
      await heading(admin, 'Dashboard');
      await nav(admin, 'API clients');
      await heading(admin, 'API clients');
      const form = admin.getByRole('form', { name: 'New API client' });
      await form.getByLabel('Name').fill(CLIENT_NAME);
      await form.getByRole('checkbox', { name: 'sessions:read' }).check();
      await form.getByRole('button', { name: 'Create client' }).click();
      const shown = admin.getByTestId('client-secret');
      await shown.getByText(`Copy the secret of ${CLIENT_NAME} now: it is not shown again.`).waitFor();
      clientSecret = await shown.getByTestId('secret-value').inputValue();
      check(clientSecret.length >= 40, `the client secret shown is ${clientSecret.length} characters long`);
      await admin.getByTestId('clients-table').getByRole('cell', { name: CLIENT_NAME, exact: true }).waitFor();
      await scenario.shot(admin, 'client-secret-once');
    });

    await scenario.step('the secret is not shown again: not after dismissing it, nor after a reload', async () => {
      await admin.getByTestId('client-secret').getByRole('button', { name: 'I have saved it' }).click();
      await admin.getByTestId('client-secret').waitFor({ state: 'detached' });
      check(!(await admin.content()).includes(clientSecret), 'the page still holds the secret');
      await admin.reload();
      await admin.getByTestId('clients-table').getByRole('cell', { name: CLIENT_NAME, exact: true }).waitFor();
      check(!(await admin.content()).includes(clientSecret), 'the reloaded page holds the secret');
      const listed = JSON.stringify(await apiCall(admin, 'GET', '/api-clients/', null, [200]));
      check(!listed.includes(clientSecret), 'GET /api-clients/ returns the secret');
    });

    await scenario.step('the admin creates a webhook to the receiver', async () => {
      await nav(admin, 'Webhooks');
      await heading(admin, 'Webhooks');
      const form = admin.getByRole('form', { name: 'New webhook' });
      await form.getByLabel('URL').fill(receiver.url);
      await form.getByRole('checkbox', { name: 'room_created', exact: true }).check();
      await form.getByRole('button', { name: 'Create webhook' }).click();
      const shown = admin.getByTestId('webhook-secret');
      hookSecret = await shown.getByTestId('secret-value').inputValue();
      check(hookSecret.startsWith('whsec_'), 'the signing secret is not a whsec_ secret');
      await shown.getByRole('button', { name: 'I have saved it' }).click();
      await admin.getByTestId('webhooks-table').getByRole('cell', { name: receiver.url, exact: true }).waitFor();
      const hooks = (await apiCall(admin, 'GET', '/webhooks/', null, [200])) as { id: number; url: string }[];
      hookId = hooks.find((hook) => hook.url === receiver.url)?.id ?? 0;
      check(hookId > 0, `the webhook is not listed: ${JSON.stringify(hooks)}`);
    });

    await scenario.step('a room is created: the receiver gets the event, signed', async () => {
      await apiPost(admin, '/rooms/', { name: ROOM, capacity: 12 });
      const message = await until('no room_created message arrived', () =>
        receiver.received.find((item) => item.body.includes(ROOM)),
      );
      check(signedBy(hookSecret, message), `the message is not signed with the webhook's secret: ${message.body}`);
      const body = JSON.parse(message.body) as { type: string; data: { room: { name: string } } };
      check(body.type === 'room_created' && body.data.room.name === ROOM, `unexpected message: ${message.body}`);
      check(String(message.headers['webhook-id']).startsWith('msg_'), `webhook-id is ${message.headers['webhook-id']}`);
    });

    await scenario.step("the webhook's delivery log shows the delivery", async () => {
      await until('the delivery was not logged', async () => {
        const log = (await apiCall(admin, 'GET', `/webhooks/${hookId}/deliveries`, null, [200])) as unknown[];
        return log.length > 0 ? log : undefined;
      });
      await admin
        .getByTestId('webhooks-table')
        .getByRole('button', { name: `Deliveries of ${receiver.url}` })
        .click();
      const row = admin.getByTestId('deliveries-table').getByRole('row', { name: /room_created/ });
      await row.getByText('succeeded (204)').waitFor();
      await row.getByRole('cell', { name: '1', exact: true }).waitFor();
      await scenario.shot(admin, 'webhook-deliveries');
    });

    await scenario.step('the admin revokes the API client', async () => {
      await nav(admin, 'API clients');
      await heading(admin, 'API clients');
      admin.once('dialog', (dialog) => void dialog.accept());
      await admin.getByRole('button', { name: `Revoke ${CLIENT_NAME}` }).click();
      await admin.getByText(`${CLIENT_NAME} revoked`).waitFor();
      await admin
        .getByTestId('clients-table')
        .getByRole('cell', { name: CLIENT_NAME, exact: true })
        .waitFor({ state: 'detached' });
      const listed = (await apiCall(admin, 'GET', '/api-clients/', null, [200])) as { name: string }[];
      check(!listed.some((client) => client.name === CLIENT_NAME), 'the revoked client is still listed');
    });
  },
  { server: { env: () => ({ TMS_WEBHOOK_ALLOW_PRIVATE: 'true' }) } },
);
await receiver.close();
