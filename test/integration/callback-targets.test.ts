/**
 * Outbound requests that cannot be aimed inside (issue 14, item 8): with the
 * production default (no allowance for private targets), a status callback
 * goes over https to a public address only. A name that resolves to this
 * machine, an address literal of it or of the cloud metadata service, is
 * refused when connecting, before any connection is made; and what the admin
 * reads in the delivery log is the same few words whether the target was
 * refused, closed or silent, so the log cannot map the network behind us.
 */
import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { createStatusCallbackActivities } from '../../activities/status-callbacks';
import { newWebhookSecret } from '../../security/standard-webhooks';
import { UNREACHABLE } from '../../security/outbound-request';
import { createTestOrganization, newOnboarding, testSecretBox } from '../support/factories';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let database: TestDatabase;
/** A listener that only counts who connects: nothing may. */
let listener: Server;
let connections = 0;
let port: number;

beforeAll(async () => {
  database = await createTestDatabase();
  listener = createTcpServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => listener?.close(resolve));
  await database?.drop();
});

let sequence = 0;

/** One delivery attempt to `callbackUrl`; answers what it threw (or delivered) and what the log says. */
async function deliverTo(callbackUrl: string, allowPrivateCallbackTargets = false) {
  const { db } = database;
  const org = await createTestOrganization(db);
  await db.ehrIntegration.update({
    where: { id: org.integrationId },
    data: { callbackUrl, callbackSecret: testSecretBox.seal(newWebhookSecret()) },
  });
  const { input } = await newOnboarding(db, org.organizationId, { integrationId: org.integrationId });
  const activities = createStatusCallbackActivities({ db, secretBox: testSecretBox, allowPrivateCallbackTargets });
  const webhookId = `callback-target-test-${(sequence += 1)}`;
  let failure: ApplicationFailure | null = null;
  try {
    await activities.deliverStatusCallback({
      onboardingId: input.onboardingId,
      event: 'onboarding.registered',
      status: 'REGISTERED',
      occurredAt: new Date().toISOString(),
      webhookId,
    });
  } catch (error: unknown) {
    if (!(error instanceof ApplicationFailure)) throw error;
    failure = error;
  }
  const log = await db.outboundWebhook.findUniqueOrThrow({
    where: { webhookId },
    select: { lastError: true, lastStatusCode: true },
  });
  return { failure: failure && { type: failure.type, nonRetryable: failure.nonRetryable }, log };
}

const refusedUnreachable = {
  failure: { type: 'CallbackUnreachable', nonRetryable: false },
  log: { lastError: UNREACHABLE, lastStatusCode: null },
};

it.each([
  ['a name that resolves to loopback', () => `https://localhost:${port}/callbacks`],
  ['a loopback literal', () => `https://127.0.0.1:${port}/callbacks`],
  ['an IPv4-mapped IPv6 loopback literal', () => `https://[::ffff:127.0.0.1]:${port}/callbacks`],
  ['the IPv6 loopback', () => `https://[::1]:${port}/callbacks`],
  ['the cloud metadata service', () => 'https://169.254.169.254/latest/meta-data/'],
  ['the IPv6 cloud metadata service', () => 'https://[fd00:ec2::254]/latest/meta-data/'],
  ['a private address', () => 'https://10.0.0.1/callbacks'],
])('refuses %s without connecting, in the generic words', async (_what, url) => {
  const before = connections;
  expect(await deliverTo(url())).toEqual(refusedUnreachable);
  expect(connections).toBe(before);
});

it('refuses a plain http callback URL for good', async () => {
  expect(await deliverTo('http://ehr.example.com/callbacks')).toEqual({
    failure: { type: 'CallbackMisconfigured', nonRetryable: true },
    log: { lastError: 'callback URL must be https', lastStatusCode: null },
  });
});

it('says the same of a closed port as of a refused target (no port-scan oracle)', async () => {
  const closed = createTcpServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  // With the allowance (tests, npm start), the connection is tried: refused by the OS, in the same words.
  expect(await deliverTo(`http://127.0.0.1:${closedPort}/callbacks`, true)).toEqual(refusedUnreachable);
  // A TLS handshake with something that is not TLS: the same words again.
  expect(await deliverTo(`https://127.0.0.1:${port}/callbacks`, true)).toEqual(refusedUnreachable);
});

it('does not follow a redirect, and refuses it for good with its status only', async () => {
  const redirecting = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  });
  await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
  try {
    const { port: redirectPort } = redirecting.address() as AddressInfo;
    expect(await deliverTo(`http://127.0.0.1:${redirectPort}/callbacks`, true)).toEqual({
      failure: { type: 'CallbackRejected', nonRetryable: true },
      log: { lastError: 'HTTP 302', lastStatusCode: 302 },
    });
  } finally {
    await new Promise((resolve) => redirecting.close(resolve));
  }
});
