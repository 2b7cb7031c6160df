/**
 * EHR integrations without SQL (issue 19), over HTTP: an admin creates one and
 * gets its secrets once, a webhook signed with the new secret starts an
 * onboarding, a rotation keeps both secrets working until the chosen time and
 * then only the new one, callbacks are configured, pinged and redelivered, and
 * the integration is disabled and re-enabled. Every change is on the audit trail.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TErrorResponse } from '../../schemas/error-response';
import type {
  TInboundDeliveries,
  TIntegration,
  TIntegrationCreated,
  TIntegrationRotated,
  TPingResult,
} from '../../schemas/integrations';
import { createStatusCallbackActivities } from '../../activities/status-callbacks';
import { isSealed } from '../../security/secret-box';
import { verifyWebhook } from '../../security/standard-webhooks';
import { callbackUrlProblem } from '../../use-cases/integrations/manage-integrations';
import {
  chartCreatedWebhook,
  createTestOrganization,
  signedWebhookHeaders,
  testSecretBox,
  type TestOrganization,
} from '../support/factories';
import { emailsSent } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;
let ehr: Server;
/** The callback secret the EHR stand-in verifies with: the one the create call answered. */
let callbackSecret = '';
/** What the EHR stand-in answers next. */
let answer = 204;
const received: { type: string; webhookId: string }[] = [];

beforeAll(async () => {
  ehr = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        id: req.headers['webhook-id'] as string | undefined,
        timestamp: req.headers['webhook-timestamp'] as string | undefined,
        signature: req.headers['webhook-signature'] as string | undefined,
      };
      if (verifyWebhook([callbackSecret], headers, body) !== 'valid') {
        res.writeHead(401).end();
        return;
      }
      if (answer < 300) received.push({ type: (JSON.parse(body) as { type: string }).type, webhookId: headers.id! });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => ehr.listen(0, '127.0.0.1', resolve));
  service = await startTestService();
  await service.startWorker();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
});

afterAll(async () => {
  await service?.stop();
  await new Promise((resolve) => ehr?.close(resolve));
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function call(method: string, path: string, key: string, body?: unknown) {
  return fetch(`${service.api.url}${path}`, {
    method,
    headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** A chart.created signed with `secret`, as the EHR would send it. */
async function sendChart(integrationId: string, secret: string, options: { invite?: boolean } = {}) {
  const body = JSON.stringify(chartCreatedWebhook({ invite: options.invite ?? false }));
  return fetch(`${service.api.url}/v1/webhooks/ehr/${integrationId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedWebhookHeaders(secret, body) },
    body,
  });
}

async function auditActions(integrationId: string): Promise<string[]> {
  const rows = await service.database.db.auditEvent.findMany({
    where: {
      organizationId: org.organizationId,
      actorType: 'staff',
      detail: { path: ['integrationId'], equals: integrationId },
    },
    orderBy: { id: 'asc' },
    select: { action: true, actorId: true },
  });
  expect(rows.every((row) => row.actorId === org.adminId)).toBe(true);
  return rows.map((row) => row.action);
}

describe('an EHR integration’s lifecycle', () => {
  let created: TIntegrationCreated;

  beforeAll(async () => {
    const response = await call('POST', '/v1/integrations', org.keys.admin, { name: 'Second EHR', vendor: 'Acme' });
    expect(response.status).toBe(201);
    created = (await response.json()) as TIntegrationCreated;
    callbackSecret = created.callbackSecret;
  });

  it('answers the webhook URL and both secrets once, and stores the secrets sealed', async () => {
    expect(created.integration).toMatchObject({ name: 'Second EHR', vendor: 'Acme', active: true, callbackUrl: null });
    expect(created.integration.webhookUrl).toMatch(
      new RegExp(`^https?://[^/]+/v1/webhooks/ehr/${created.integration.id}$`),
    );
    expect(created.signingSecret).toMatch(/^whsec_/);
    const row = await service.database.db.ehrIntegration.findUniqueOrThrow({ where: { id: created.integration.id } });
    expect(row.organizationId).toBe(org.organizationId);
    expect(isSealed(row.signingSecret)).toBe(true);
    expect(testSecretBox.open(row.signingSecret)).toBe(created.signingSecret);
    expect(testSecretBox.open(row.callbackSecret!)).toBe(created.callbackSecret);
    // Never again: not in the list, not in the single read.
    const listed = await (await call('GET', '/v1/integrations', org.keys.admin)).text();
    const single = await (await call('GET', `/v1/integrations/${created.integration.id}`, org.keys.admin)).text();
    for (const text of [listed, single]) {
      expect(text).toContain(created.integration.id);
      expect(text).not.toContain(created.signingSecret);
      expect(text).not.toContain(created.callbackSecret);
    }
  });

  it('starts an onboarding from a webhook signed with the new secret, and logs the delivery', async () => {
    const response = await sendChart(created.integration.id, created.signingSecret);
    expect(response.status).toBe(202);
    const { onboardingId } = (await response.json()) as TWebhookAccepted;
    const log = (await (
      await call('GET', `/v1/integrations/${created.integration.id}/deliveries`, org.keys.admin)
    ).json()) as TInboundDeliveries;
    expect(log.deliveries[0]).toMatchObject({ action: 'chart.receive', outcome: 'success', onboardingId });
  });

  it('keeps both secrets valid until the chosen time after a rotation, then only the new one', async () => {
    const old = created.signingSecret;
    const tooLate = new Date(Date.now() + 8 * 24 * 60 * 60 * 1000).toISOString();
    const refused = await call('POST', `/v1/integrations/${created.integration.id}/rotate-secret`, org.keys.admin, {
      previousValidUntil: tooLate,
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as TErrorResponse).error.fields?.[0]?.path).toBe('previousValidUntil');
    expect((await sendChart(created.integration.id, old)).status).toBe(202);

    const until = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const response = await call('POST', `/v1/integrations/${created.integration.id}/rotate-secret`, org.keys.admin, {
      previousValidUntil: until,
    });
    expect(response.status).toBe(200);
    const rotated = (await response.json()) as TIntegrationRotated;
    expect(rotated.signingSecret).not.toBe(old);
    expect(rotated.integration.previousSecretExpiresAt).toBe(until);
    expect((await sendChart(created.integration.id, old)).status).toBe(202);
    expect((await sendChart(created.integration.id, rotated.signingSecret)).status).toBe(202);

    // The chosen time passes.
    await service.database.db.ehrIntegration.update({
      where: { id: created.integration.id },
      data: { previousSecretExpiresAt: new Date(Date.now() - 1000) },
    });
    expect((await sendChart(created.integration.id, old)).status).toBe(401);
    expect((await sendChart(created.integration.id, rotated.signingSecret)).status).toBe(202);
    created.signingSecret = rotated.signingSecret;
  });

  it('sets the callback URL and events, and pings it signed with the callback secret', async () => {
    const base = `http://127.0.0.1:${(ehr.address() as AddressInfo).port}`;
    const noUrl = await call('POST', `/v1/integrations/${created.integration.id}/ping`, org.keys.admin);
    expect(noUrl.status).toBe(409);
    const set = await call('PATCH', `/v1/integrations/${created.integration.id}`, org.keys.admin, {
      callbackUrl: `${base}/callbacks`,
      callbackEvents: ['onboarding.cancelled'],
    });
    expect(set.status).toBe(200);
    expect((await set.json()) as TIntegration).toMatchObject({
      callbackUrl: `${base}/callbacks`,
      callbackEvents: ['onboarding.cancelled'],
    });

    answer = 204;
    const ping = await call('POST', `/v1/integrations/${created.integration.id}/ping`, org.keys.admin);
    expect(ping.status).toBe(200);
    const pinged = (await ping.json()) as TPingResult;
    expect(pinged).toMatchObject({ delivered: true, statusCode: 204, error: null });
    expect(received).toContainEqual({ type: 'ping', webhookId: pinged.webhookId });

    answer = 503;
    const down = (await (
      await call('POST', `/v1/integrations/${created.integration.id}/ping`, org.keys.admin)
    ).json()) as TPingResult;
    expect(down).toMatchObject({ delivered: false, statusCode: 503, error: 'HTTP 503' });
    answer = 204;
  });

  it('sends only the events the EHR asked for', async () => {
    const activities = createStatusCallbackActivities({ db: service.database.db, secretBox: testSecretBox });
    const onboarding = await service.database.db.onboarding.findFirstOrThrow({
      where: { integrationId: created.integration.id },
    });
    // Not wanted: nothing is started (so no activity context is needed to find that out).
    await expect(
      activities.startStatusCallback({
        onboardingId: onboarding.id,
        event: 'onboarding.registered',
        status: 'REGISTERED',
        occurredAt: new Date().toISOString(),
      }),
    ).resolves.toEqual({ workflowId: null });
  });

  it('redelivers a failed callback under the same webhook-id', async () => {
    answer = 400;
    const response = await sendChart(created.integration.id, created.signingSecret, { invite: true });
    const { onboardingId } = (await response.json()) as TWebhookAccepted;
    await eventually(async () =>
      (await emailsSent(service.database.db, onboardingId)).length === 1 ? true : undefined,
    );
    const cancel = await eventually(async () => {
      const answered = await service.post(`/v1/onboardings/${onboardingId}/cancel`, {}, bearer(org.keys.admin));
      return answered.status === 409 ? undefined : answered;
    });
    expect(cancel.status).toBe(200);
    const failed = await eventually(
      async () => {
        const row = await service.database.db.outboundWebhook.findFirst({ where: { onboardingId } });
        return row?.status === 'FAILED' ? row : undefined;
      },
      { what: 'the callback to fail' },
    );
    answer = 204;
    const path = `/v1/integrations/${created.integration.id}/callbacks/${failed.id}/redeliver`;
    // Another practice's admin cannot name it; a therapist may not.
    expect((await call('POST', path, other.keys.admin)).status).toBe(404);
    expect((await call('POST', path, org.keys.permittedTherapist)).status).toBe(403);
    const redeliver = await call('POST', path, org.keys.admin);
    expect(redeliver.status).toBe(202);
    expect(await redeliver.json()).toEqual({ callbackId: failed.id, webhookId: failed.webhookId, status: 'PENDING' });
    const delivered = await eventually(
      async () => {
        const row = await service.database.db.outboundWebhook.findUniqueOrThrow({ where: { id: failed.id } });
        return row.status === 'DELIVERED' ? row : undefined;
      },
      { what: 'the redelivery' },
    );
    expect(delivered.attempts).toBe(2);
    expect(received).toContainEqual({ type: 'onboarding.cancelled', webhookId: failed.webhookId });
    // Delivered: nothing left to send again.
    expect((await call('POST', path, org.keys.admin)).status).toBe(409);
  });

  it('refuses webhooks while disabled, and takes them again once re-enabled', async () => {
    const id = created.integration.id;
    const off = await call('PATCH', `/v1/integrations/${id}`, org.keys.admin, { active: false });
    expect(((await off.json()) as TIntegration).active).toBe(false);
    const refused = await sendChart(id, created.signingSecret);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as TErrorResponse).error.code).toBe('INTEGRATION_DISABLED');
    await call('PATCH', `/v1/integrations/${id}`, org.keys.admin, { active: true });
    expect((await sendChart(id, created.signingSecret)).status).toBe(202);
  });

  it('records every change on the audit trail', async () => {
    expect(await auditActions(created.integration.id)).toEqual([
      'integration.create',
      'integration.rotate_secret',
      'integration.update',
      'integration.ping',
      'integration.ping',
      'integration.callback_redeliver',
      'integration.disable',
      'integration.enable',
    ]);
  });
});

describe('who may manage integrations', () => {
  it('is the practice’s admins only; another practice’s integration is not found', async () => {
    for (const key of [org.keys.therapist, org.keys.permittedTherapist, org.keys.ops]) {
      expect((await call('GET', '/v1/integrations', key)).status).toBe(403);
      expect((await call('POST', '/v1/integrations', key, { name: 'x', vendor: 'y' })).status).toBe(403);
    }
    expect((await call('GET', `/v1/integrations/${org.integrationId}`, other.keys.admin)).status).toBe(404);
    const patch = await call('PATCH', `/v1/integrations/${org.integrationId}`, other.keys.admin, { active: false });
    expect(patch.status).toBe(404);
    const row = await service.database.db.ehrIntegration.findUniqueOrThrow({ where: { id: org.integrationId } });
    expect(row.active).toBe(true);
  });

  it('refuses bad input with field errors and writes nothing', async () => {
    const before = await service.database.db.ehrIntegration.count();
    const missing = await call('POST', '/v1/integrations', org.keys.admin, { name: '' });
    expect(missing.status).toBe(400);
    const fields = ((await missing.json()) as TErrorResponse).error.fields?.map((field) => field.path);
    expect(fields).toEqual(expect.arrayContaining(['name', 'vendor']));
    const ftp = await call('PATCH', `/v1/integrations/${org.integrationId}`, org.keys.admin, {
      callbackUrl: 'ftp://ehr.example/callbacks',
    });
    expect(ftp.status).toBe(400);
    expect(await service.database.db.ehrIntegration.count()).toBe(before);
  });
});

describe('callback URLs an admin may set', () => {
  it('are https to a public host, through the outbound protections', () => {
    expect(callbackUrlProblem('https://ehr.example.com/callbacks', false)).toBeNull();
    expect(callbackUrlProblem('http://ehr.example.com/callbacks', false)).toMatch(/https/);
    for (const inside of [
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://[::1]/x',
      'https://169.254.169.254/x',
    ]) {
      expect({ inside, problem: callbackUrlProblem(inside, false) }).toEqual({
        inside,
        problem: 'callback URL must be a public address',
      });
    }
    expect(callbackUrlProblem('https://localhost/x', false)).toMatch(/public/);
    // Where the deployment allows it (tests, npm start), a stand-in on this machine.
    expect(callbackUrlProblem('http://127.0.0.1:8080/x', true)).toBeNull();
  });
});
