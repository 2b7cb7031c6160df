/**
 * `npm start` as a newcomer runs it: the whole service on the embedded
 * default, a webhook through it, Ctrl-C, and a second start that finds its
 * data (and its flows) again. Ports and data folder are moved out of the way
 * of a developer's own `npm start`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TOnboardingFormsResponse } from '../../schemas/forms';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { DEMO } from '../../prisma/seed';
import { chartCreatedWebhook, signedWebhookHeaders } from '../support/factories';
import { eventually } from '../support/service';

jest.setTimeout(180_000);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Started {
  output: () => string;
  stop: () => Promise<number | null>;
}

async function npmStart(env: NodeJS.ProcessEnv): Promise<Started> {
  const root = path.resolve(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'start-local.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  running.add(child);
  void exited.then(() => running.delete(child));
  await eventually(async () => (output.includes('Press Ctrl-C to stop.') ? true : undefined), {
    timeoutMs: 120_000,
    intervalMs: 200,
    what: 'npm start to be ready',
  }).catch((error: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${error.message}\n${output}`);
  });
  return {
    output: () => output,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/**
 * What a developer sees: log lines a person can read (never pino's JSON), and
 * the banner with the sign-in and keys whole, after the start-up's own lines
 * (the demo clients' first steps), not scrolled away by them.
 */
function expectReadableTerminal(output: string) {
  const lines = output.split('\n');
  expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
  const bannerStart = lines.indexOf('Client portal onboarding is running.');
  const bannerEnd = lines.indexOf('Press Ctrl-C to stop.');
  expect(bannerStart).toBeGreaterThan(0);
  const logLine = /^\d\d:\d\d:\d\d {2}/;
  expect(lines.slice(bannerStart, bannerEnd).filter((line) => logLine.test(line))).toEqual([]);
  return { before: lines.slice(0, bannerStart), logLine };
}

let dataDir: string;
/** A failed expectation must not leave a whole service (and its Temporal server) running after the test. */
const running = new Set<ReturnType<typeof spawn>>();

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-'));
});

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

it('runs the whole service, stops cleanly on Ctrl-C and finds its data on the next start', async () => {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LOCAL_DATA_DIR: dataDir,
    PORT: String(port),
    LOCAL_POSTGRES_PORT: String(await freePort()),
    LOCAL_TEMPORAL_PORT: String(await freePort()),
    LOCAL_TEMPORAL_UI_PORT: String(await freePort()),
  };
  // As README.md and the portal's emails write it; the server listens on 127.0.0.1, which localhost reaches.
  const api = `http://localhost:${port}`;
  const event = chartCreatedWebhook({ formPackageKey: DEMO.defaultPackageKey });
  let webhookSecret = '';
  const postWebhook = () => {
    const body = JSON.stringify(event);
    return fetch(`${api}/v1/webhooks/ehr/${DEMO.integrationId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedWebhookHeaders(webhookSecret, body) },
      body,
    });
  };

  const first = await npmStart(env);
  expect(first.output()).toContain(`API             ${api}`);
  expect(first.output()).not.toContain('http://127.0.0.1');
  const { before, logLine } = expectReadableTerminal(first.output());
  // The demo clients' activities, one short line each, came before the banner.
  expect(before.filter((line) => logLine.test(line) && / completed /.test(line)).length).toBeGreaterThan(3);
  const apiKey = /Staff API key\s+(\S+)/.exec(first.output())?.[1];
  expect(apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
  const asAdmin = { headers: { authorization: `Bearer ${apiKey}` } };
  webhookSecret = /Webhook secret\s+(whsec_\S+)/.exec(first.output())?.[1] ?? '';
  expect(webhookSecret).toMatch(/^whsec_/);
  const response = await postWebhook();
  expect(response.status).toBe(202);
  const { onboardingId } = (await response.json()) as TWebhookAccepted;
  await eventually(
    async () => {
      const body = (await (
        await fetch(`${api}/v1/onboardings/${onboardingId}`, asAdmin)
      ).json()) as TOnboardingResponse;
      return body.status === 'INVITED' ? body : undefined;
    },
    { what: 'the client to be invited' },
  );
  // The invitation is in the local outbox, readable at /dev/outbox.
  // The demo clients' emails are there already: wait for this client's (INVITED can be seen just before it is written).
  const outbox = await eventually(async () => {
    const page = await (await fetch(`${api}/dev/outbox`)).text();
    return page.includes(event.data.client.email!) ? page : undefined;
  });
  expect(outbox).toContain('client portal');
  // The default package: three forms, announced in their own email (seed 000).
  await eventually(
    async () => {
      const forms = (await (
        await fetch(`${api}/v1/onboardings/${onboardingId}/forms`, asAdmin)
      ).json()) as TOnboardingFormsResponse;
      return forms.total === 3 ? forms : undefined;
    },
    { what: 'the default package to be assigned' },
  );
  await eventually(
    async () => ((await (await fetch(`${api}/dev/outbox`)).text()).includes('forms for you') ? true : undefined),
    {
      what: 'the forms email',
    },
  );
  // Payments are on with the local checkout: the banner names the demo client who has a balance,
  // and the EHR's invoices reach My Account through the same signed webhook.
  expect(first.output()).toMatch(/Client portal\s+\S+\/portal\/demo-practice\/login\s+\(mary\.jackson@example\.com \//);
  const invoiceBody = JSON.stringify({
    type: 'invoice.upserted',
    data: {
      externalChartId: event.data.externalChartId,
      invoice: {
        externalInvoiceId: `INV-${event.data.externalChartId}`,
        issuedOn: '2026-12-01',
        balanceCents: 2500,
        lines: [{ serviceDate: '2026-12-01', description: 'Intake', amountCents: 12000 }],
      },
    },
  });
  const invoice = await fetch(`${api}/v1/webhooks/ehr/${DEMO.integrationId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedWebhookHeaders(webhookSecret, invoiceBody) },
    body: invoiceBody,
  });
  expect(invoice.status).toBe(200);
  expect(await invoice.json()).toMatchObject({ balanceCents: 2500, status: 'OPEN', duplicate: false });
  // The demo practice operates this local deployment (CODEC_OPERATOR_ORGANIZATIONS): its admin key decodes for the Web UI.
  const codec = async (direction: 'encode' | 'decode', body: unknown) => {
    const answer = await fetch(`${api}/codec/${direction}`, {
      method: 'POST',
      headers: { ...asAdmin.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect({ direction, status: answer.status }).toEqual({ direction, status: 200 });
    return (await answer.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
  };
  const plain = {
    payloads: [
      {
        metadata: { encoding: Buffer.from('json/plain').toString('base64') },
        data: Buffer.from('"npm start"').toString('base64'),
      },
    ],
  };
  const sealed = await codec('encode', plain);
  expect(sealed.payloads[0]!.data).not.toBe(plain.payloads[0]!.data);
  expect((await codec('decode', sealed)).payloads).toEqual(plain.payloads);
  expect(await first.stop()).toBe(0);
  expect(first.output()).toContain('stopped PostgreSQL');
  expect(first.output()).toContain('stopped Temporal dev server');

  const second = await npmStart(env);
  expect(second.output()).toContain(`Staff API key   ${apiKey}`);
  const again = (await (await fetch(`${api}/v1/onboardings/${onboardingId}`, asAdmin)).json()) as TOnboardingResponse;
  // The flow survived the restart: still waiting for the client, its 7 days still running.
  expect(again).toMatchObject({ id: onboardingId, status: 'INVITED' });
  expect(again.workflow.executionStatus).toBe('RUNNING');
  const duplicate = await postWebhook();
  expect(duplicate.status).toBe(200);
  expect(second.output()).toContain('migrations: 0 applied');
  expect(await second.stop()).toBe(0);
});
