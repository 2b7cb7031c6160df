/**
 * Status callbacks to the EHR on the time-skipping server: a day of retries
 * passes in seconds. The EHR is a real HTTP server in this process that checks
 * every delivery's Standard Webhooks signature with our own verifier, and
 * answers what each test tells it to. Activities are the real ones, against a
 * real database.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { currentUser, signIn } from '../../use-cases/accounts/portal-sessions';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import type { StatusCallbackEvent, StatusCallbackPayload } from '../../domain/status-callback';
import { createLogger } from '../../observability/logger';
import { newWebhookSecret, verifyWebhook, type WebhookVerification } from '../../security/standard-webhooks';
import type { PayloadKey } from '../../temporal/payload-codec';
import {
  cancelOnboardingUpdate,
  clientOnboarding,
  getOnboardingStateQuery,
  type ClientOnboardingInput,
} from '../../workflows/client-onboarding';
import { statusCallbackWorkflowId } from '../../domain/status-callback';
import { statusCallback } from '../../workflows/status-callback';
import { testActivityDeps } from '../support/activity-deps';
import {
  createTestOrganization,
  newOnboarding,
  setInvitationPolicy,
  testSecretBox,
  type TestOrganization,
} from '../support/factories';
import { signAllForms } from '../support/forms';
import { latestRegistrationToken } from '../support/invitations';
import { eventually } from '../support/service';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

interface Delivery {
  webhookId: string;
  body: string;
  verification: WebhookVerification;
  /** Test-server time of the request, so backoff is measured in the time the retry policy counts. */
  atMs: number;
}

/** One EHR endpoint: its secret, the status codes it answers with (then 204), what it received. */
interface Endpoint {
  secret: string;
  answers: number[];
  deliveries: Delivery[];
}

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let keys: PayloadKey[];
let deps: ReturnType<typeof testActivityDeps>;
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;
let receiver: Server;
let receiverUrl: string;
const endpoints = new Map<string, Endpoint>();

beforeAll(async () => {
  keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
  deps = testActivityDeps(database.db);
  taskQueue = testTaskQueue();
  worker = await createTestWorker(env, { taskQueue, keys, activities: createActivities(deps) });
  workerRun = worker.run();

  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const endpoint = endpoints.get(req.url ?? '');
        if (!endpoint) {
          res.writeHead(404).end();
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          id: req.headers['webhook-id'] as string | undefined,
          timestamp: req.headers['webhook-timestamp'] as string | undefined,
          signature: req.headers['webhook-signature'] as string | undefined,
        };
        endpoint.deliveries.push({
          webhookId: headers.id ?? '',
          body,
          verification: verifyWebhook([endpoint.secret], headers, body),
          atMs: await env.currentTimeMs(),
        });
        res.writeHead(endpoint.answers.shift() ?? 204).end();
      })();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await new Promise((resolve) => receiver?.close(resolve));
  await env?.teardown();
  await database?.drop();
});

const PASSWORD = 'violet harbour tuesday kite';
const staff = { staffUserId: '00000000-0000-4000-8000-00000000a11d' };

/** Gives the organisation's EHR integration a callback endpoint on the test receiver. */
async function connectEhr(org: TestOrganization, answers: number[] = []): Promise<Endpoint> {
  const endpoint: Endpoint = { secret: newWebhookSecret(), answers, deliveries: [] };
  const path = `/ehr/${org.integrationId}`;
  endpoints.set(path, endpoint);
  await database.db.ehrIntegration.update({
    where: { id: org.integrationId },
    // Stored encrypted, as production stores it; the activity opens it to sign.
    data: { callbackUrl: `${receiverUrl}${path}`, callbackSecret: testSecretBox.seal(endpoint.secret) },
  });
  return endpoint;
}

interface Flow {
  org: TestOrganization;
  input: ClientOnboardingInput;
  handle: WorkflowHandle<typeof clientOnboarding>;
  register(): Promise<void>;
  signForms(): Promise<void>;
}

async function startFlow(
  org: TestOrganization,
  options: { policy?: Parameters<typeof setInvitationPolicy>[2]; forms?: boolean } = {},
): Promise<Flow> {
  await setInvitationPolicy(database.db, org.organizationId, options.policy ?? {});
  const { input, workflowId } = await newOnboarding(database.db, org.organizationId, {
    invite: true,
    integrationId: org.integrationId,
    ...(options.forms ? { formPackageKey: org.formPackageKey } : {}),
  });
  const handle = await env.client.workflow.start(clientOnboarding, { workflowId, taskQueue, args: [input] });
  await eventually(async () => ((await handle.query(getOnboardingStateQuery)).invitation ? true : undefined));
  const email = input.chart.client.email!;
  return {
    org,
    input,
    handle,
    async register() {
      const token = await latestRegistrationToken(deps.outboxDir, email);
      const result = await registerPortalAccount(
        { db: database.db, temporal: env.client, logger: createLogger({ level: 'silent' }) },
        token,
        {
          lastName: input.chart.client.lastName,
          dateOfBirth: input.chart.client.dateOfBirth,
          password: PASSWORD,
          passwordConfirmation: PASSWORD,
        },
      );
      expect(result.outcome).toBe('registered');
    },
    async signForms() {
      const session = await signIn(database.db, org.organizationId, email, PASSWORD);
      await signAllForms(database.db, env.client, (await currentUser(database.db, session!))!);
    },
  };
}

/** The callback workflow of one event, once the onboarding's step has started it. */
async function callbackOf(onboardingId: string, event: StatusCallbackEvent, n?: number) {
  const handle = env.client.workflow.getHandle<typeof statusCallback>(statusCallbackWorkflowId(onboardingId, event, n));
  await eventually(
    async () => {
      try {
        await handle.describe();
        return true;
      } catch {
        return undefined;
      }
    },
    { what: `the ${event} callback to start` },
  );
  return handle;
}

function logOf(webhookId: string) {
  return database.db.outboundWebhook.findUniqueOrThrow({ where: { webhookId } });
}

/** Every delivery's payload; also checks each one was signed with the endpoint's secret. */
function payloadsOf(endpoint: Endpoint): StatusCallbackPayload[] {
  for (const delivery of endpoint.deliveries) expect(delivery.verification).toBe('valid');
  return endpoint.deliveries.map((delivery) => JSON.parse(delivery.body) as StatusCallbackPayload);
}

/** The client's PHI must not leave in a callback: the EHR is told ids and statuses only. */
function expectNoPhi(endpoint: Endpoint, input: ClientOnboardingInput) {
  const { firstName, lastName, dateOfBirth, email } = input.chart.client;
  const sent = endpoint.deliveries.map((delivery) => delivery.body).join('\n');
  expect(sent.length).toBeGreaterThan(0);
  for (const phi of [firstName, lastName, dateOfBirth, email!]) expect(sent).not.toContain(phi);
}

describe('status callbacks to the EHR', () => {
  it('tells the EHR a client registered, signed like our inbound webhooks, without PHI', async () => {
    const org = await createTestOrganization(database.db);
    const ehr = await connectEhr(org);
    const flow = await startFlow(org);
    await flow.register();

    const callback = await callbackOf(flow.input.onboardingId, 'onboarding.registered');
    expect(await callback.result()).toEqual({ outcome: 'delivered', attempts: 1 });
    expect(await flow.handle.result()).toMatchObject({ status: 'REGISTERED' });

    expect(payloadsOf(ehr)).toEqual([
      {
        type: 'onboarding.registered',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
        data: {
          onboardingId: flow.input.onboardingId,
          externalChartId: flow.input.chart.externalChartId,
          status: 'REGISTERED',
        },
      },
    ]);
    expect(ehr.deliveries[0]!.webhookId).toBe(callback.workflowId);
    expectNoPhi(ehr, flow.input);
    expect(await logOf(callback.workflowId)).toMatchObject({
      integrationId: org.integrationId,
      onboardingId: flow.input.onboardingId,
      eventType: 'onboarding.registered',
      status: 'DELIVERED',
      attempts: 1,
      lastStatusCode: 204,
      lastError: null,
      deliveredAt: expect.any(Date) as Date,
    });
  });

  it('tells the EHR each time an invitation expires, numbered by the invitation', async () => {
    const org = await createTestOrganization(database.db);
    const ehr = await connectEhr(org);
    const flow = await startFlow(org, { policy: { invitationReminderDays: [], autoReinviteMax: 1 } });

    await env.sleep('7 days');
    const first = await callbackOf(flow.input.onboardingId, 'onboarding.expired', 1);
    expect(await first.result()).toEqual({ outcome: 'delivered', attempts: 1 });
    await env.sleep('7 days');
    const second = await callbackOf(flow.input.onboardingId, 'onboarding.expired', 2);
    expect(await second.result()).toEqual({ outcome: 'delivered', attempts: 1 });

    const payloads = payloadsOf(ehr);
    expect(payloads.map((payload) => [payload.type, payload.data.status, payload.data.invitationSequence])).toEqual([
      ['onboarding.expired', 'EXPIRED', 1],
      ['onboarding.expired', 'EXPIRED', 2],
    ]);
    expect(ehr.deliveries.map((delivery) => delivery.webhookId)).toEqual([first.workflowId, second.workflowId]);
    expectNoPhi(ehr, flow.input);
  });

  it('tells the EHR staff cancelled the onboarding, and delivers after the onboarding has ended', async () => {
    const org = await createTestOrganization(database.db);
    const ehr = await connectEhr(org, [503]);
    const flow = await startFlow(org);

    await flow.handle.executeUpdate(cancelOnboardingUpdate, { args: [staff] });
    expect(await flow.handle.result()).toMatchObject({ status: 'CANCELLED' });
    // The EHR was down when the onboarding ended; the callback carried on without it.
    const callback = await callbackOf(flow.input.onboardingId, 'onboarding.cancelled');
    expect(await callback.result()).toEqual({ outcome: 'delivered', attempts: 2 });

    expect(payloadsOf(ehr).map((payload) => [payload.type, payload.data.status])).toEqual([
      ['onboarding.cancelled', 'CANCELLED'],
      ['onboarding.cancelled', 'CANCELLED'],
    ]);
    expectNoPhi(ehr, flow.input);
  });

  it('tells the EHR the forms are complete, with the request and how many forms', async () => {
    const org = await createTestOrganization(database.db);
    const ehr = await connectEhr(org);
    const flow = await startFlow(org, { forms: true, policy: { invitationReminderDays: [] } });
    await flow.register();
    await eventually(async () =>
      (await flow.handle.query(getOnboardingStateQuery)).status === 'FORMS_OUTSTANDING' ? true : undefined,
    );
    await flow.signForms();

    const outcome = await flow.handle.result();
    expect(outcome.status).toBe('COMPLETE');
    const callback = await callbackOf(flow.input.onboardingId, 'onboarding.forms_completed');
    expect(await callback.result()).toEqual({ outcome: 'delivered', attempts: 1 });

    const forms = await database.db.formAssignment.count({ where: { requestId: outcome.forms!.requestId } });
    expect(forms).toBeGreaterThan(0);
    expect(payloadsOf(ehr).map((payload) => payload.type)).toEqual([
      'onboarding.registered',
      'onboarding.forms_completed',
    ]);
    expect(payloadsOf(ehr)[1]!.data).toEqual({
      onboardingId: flow.input.onboardingId,
      externalChartId: flow.input.chart.externalChartId,
      status: 'COMPLETE',
      formRequestId: outcome.forms!.requestId,
      forms,
    });
    expectNoPhi(ehr, flow.input);
  });

  it('retries an EHR that is down with growing pauses, under the same webhook-id, until it answers', async () => {
    const org = await createTestOrganization(database.db);
    const ehr = await connectEhr(org, [503, 500, 429]);
    const flow = await startFlow(org);
    await flow.register();

    const callback = await callbackOf(flow.input.onboardingId, 'onboarding.registered');
    expect(await callback.result()).toEqual({ outcome: 'delivered', attempts: 4 });

    expect(ehr.deliveries).toHaveLength(4);
    expect(new Set(ehr.deliveries.map((delivery) => delivery.webhookId))).toEqual(new Set([callback.workflowId]));
    // Identical bodies: the EHR sees one event, whichever attempt it first accepted.
    expect(new Set(ehr.deliveries.map((delivery) => delivery.body)).size).toBe(1);
    payloadsOf(ehr);
    // The retry profile's 10 s, 20 s, 40 s (the server adds no jitter to activity retries).
    const pauses = ehr.deliveries.slice(1).map((delivery, i) => delivery.atMs - ehr.deliveries[i]!.atMs);
    expect(pauses.map((ms) => Math.round(ms / 1000))).toEqual([10, 20, 40]);
    expect(await logOf(callback.workflowId)).toMatchObject({
      status: 'DELIVERED',
      attempts: 4,
      lastStatusCode: 204,
      lastError: null,
    });
  });

  it('stops at once when the EHR refuses the callback with a 400, and marks it FAILED', async () => {
    const org = await createTestOrganization(database.db);
    const ehr = await connectEhr(org, [400]);
    const flow = await startFlow(org);
    await flow.register();

    const callback = await callbackOf(flow.input.onboardingId, 'onboarding.registered');
    expect(await callback.result()).toEqual({ outcome: 'failed' });
    await env.sleep('1 day');

    expect(ehr.deliveries).toHaveLength(1);
    expect(await logOf(callback.workflowId)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastStatusCode: 400,
      lastError: 'HTTP 400',
      deliveredAt: null,
    });
  });

  it('gives up after about a day of an EHR that never answers, and marks it FAILED', async () => {
    const org = await createTestOrganization(database.db);
    const ehr = await connectEhr(org, Array<number>(100).fill(503));
    const flow = await startFlow(org);
    await flow.register();

    const callback = await callbackOf(flow.input.onboardingId, 'onboarding.registered');
    expect(await callback.result()).toEqual({ outcome: 'failed' });

    expect(ehr.deliveries).toHaveLength(33);
    const hours = (ehr.deliveries.at(-1)!.atMs - ehr.deliveries[0]!.atMs) / 3_600_000;
    expect(hours).toBeGreaterThan(23);
    expect(hours).toBeLessThan(26);
    expect(await logOf(callback.workflowId)).toMatchObject({
      status: 'FAILED',
      attempts: 33,
      lastStatusCode: 503,
      lastError: 'HTTP 503',
    });
  });

  it('refuses a callback URL that is not http(s), without retrying', async () => {
    const org = await createTestOrganization(database.db);
    await database.db.ehrIntegration.update({
      where: { id: org.integrationId },
      data: { callbackUrl: 'file:///etc/passwd', callbackSecret: testSecretBox.seal(newWebhookSecret()) },
    });
    const flow = await startFlow(org);
    await flow.register();

    const callback = await callbackOf(flow.input.onboardingId, 'onboarding.registered');
    expect(await callback.result()).toEqual({ outcome: 'failed' });
    expect(await logOf(callback.workflowId)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      lastStatusCode: null,
      lastError: 'callback URL is not http(s)',
    });
  });

  it('starts no delivery and logs nothing when the integration has no callback URL', async () => {
    const org = await createTestOrganization(database.db);
    const flow = await startFlow(org);
    await flow.register();
    expect(await flow.handle.result()).toMatchObject({ status: 'REGISTERED' });

    // The registered step ran (the confirmation email went out after it) and decided there was nobody to tell.
    const callback = env.client.workflow.getHandle(
      statusCallbackWorkflowId(flow.input.onboardingId, 'onboarding.registered'),
    );
    await expect(callback.describe()).rejects.toThrow(WorkflowNotFoundError);
    expect(await database.db.outboundWebhook.count({ where: { onboardingId: flow.input.onboardingId } })).toBe(0);
  });

  it('logs nothing when the callback URL was removed before the first attempt', async () => {
    const org = await createTestOrganization(database.db);
    await connectEhr(org);
    const { input } = await newOnboarding(database.db, org.organizationId, { integrationId: org.integrationId });
    await database.db.ehrIntegration.update({ where: { id: org.integrationId }, data: { callbackUrl: null } });

    const { onboardingId } = input;
    const callback = await env.client.workflow.start(statusCallback, {
      workflowId: statusCallbackWorkflowId(onboardingId, 'onboarding.registered'),
      taskQueue,
      args: [
        { onboardingId, event: 'onboarding.registered', status: 'REGISTERED', occurredAt: new Date().toISOString() },
      ],
    });
    expect(await callback.result()).toEqual({ outcome: 'no-endpoint' });
    expect(await database.db.outboundWebhook.count({ where: { onboardingId } })).toBe(0);
  });
});
