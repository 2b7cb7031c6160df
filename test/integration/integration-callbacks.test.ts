/**
 * The delivery log of status callbacks over HTTP: an EHR sends charts, staff
 * cancel the onboardings, our callbacks reach the EHR's endpoint (or are
 * refused by it), and the practice's admin reads how each delivery went. Only
 * admins read it, and only for their own organisation's integrations.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TIntegrationCallbacksResponse } from '../../schemas/callbacks';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TErrorResponse } from '../../schemas/error-response';
import type { StatusCallbackPayload } from '../../domain/status-callback';
import { newWebhookSecret, verifyWebhook } from '../../security/standard-webhooks';
import {
  chartCreatedWebhook,
  createTestOrganization,
  testSecretBox,
  type TestOrganization,
} from '../support/factories';
import { emailsSent } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let other: TestOrganization;
let ehr: Server;
const secret = newWebhookSecret();
/** Onboardings whose callbacks the EHR refuses with a 400. */
const refused = new Set<string>();
/** Bodies the EHR accepted, each with a valid signature. */
const received: StatusCallbackPayload[] = [];

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
      if (verifyWebhook([secret], headers, body) !== 'valid') {
        res.writeHead(401).end();
        return;
      }
      const payload = JSON.parse(body) as StatusCallbackPayload;
      if (refused.has(payload.data.onboardingId)) {
        res.writeHead(400).end();
        return;
      }
      received.push(payload);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => ehr.listen(0, '127.0.0.1', resolve));
  service = await startTestService();
  await service.startWorker();
  [org, other] = await Promise.all([
    createTestOrganization(service.database.db),
    createTestOrganization(service.database.db),
  ]);
  await service.database.db.ehrIntegration.update({
    where: { id: org.integrationId },
    data: {
      callbackUrl: `http://127.0.0.1:${(ehr.address() as AddressInfo).port}/callbacks`,
      callbackSecret: testSecretBox.seal(secret),
    },
  });
});

afterAll(async () => {
  await service?.stop();
  await new Promise((resolve) => ehr?.close(resolve));
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A chart from the EHR, invited, then cancelled by the admin: the EHR is told it was cancelled. */
async function cancelledOnboarding({ ehrRefuses = false } = {}): Promise<string> {
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, chartCreatedWebhook())
  ).json()) as TWebhookAccepted;
  if (ehrRefuses) refused.add(onboardingId);
  await eventually(async () => ((await emailsSent(service.database.db, onboardingId)).length === 1 ? true : undefined));
  // The invitation email is marked sent a moment before the workflow finishes that step; until then a
  // staff action is refused as "in progress" (409), so ask again as staff would.
  const cancel = await eventually(async () => {
    const response = await service.post(`/v1/onboardings/${onboardingId}/cancel`, {}, bearer(org.keys.admin));
    return response.status === 409 ? undefined : response;
  });
  expect(cancel.status).toBe(200);
  return onboardingId;
}

async function callbackLog(query = '', key = org.keys.admin, integrationId = org.integrationId) {
  return service.get(`/v1/integrations/${integrationId}/callbacks${query}`, bearer(key));
}

describe('the status callback delivery log', () => {
  let delivered: string;
  let failed: string;

  beforeAll(async () => {
    delivered = await cancelledOnboarding();
    failed = await cancelledOnboarding({ ehrRefuses: true });
    await eventually(
      async () => {
        const rows = await service.database.db.outboundWebhook.findMany({
          where: { onboardingId: { in: [delivered, failed] } },
        });
        return rows.length === 2 && rows.every((row) => row.status !== 'PENDING') ? rows : undefined;
      },
      { what: 'both callbacks to finish' },
    );
  });

  it('shows the admin each callback, newest first, with its outcome', async () => {
    const response = await callbackLog();
    expect(response.status).toBe(200);
    const body = (await response.json()) as TIntegrationCallbacksResponse;
    expect(body.integrationId).toBe(org.integrationId);
    expect(body.callbacks.map((row) => [row.onboardingId, row.eventType, row.status])).toEqual([
      [failed, 'onboarding.cancelled', 'FAILED'],
      [delivered, 'onboarding.cancelled', 'DELIVERED'],
    ]);
    expect(body.callbacks[1]).toMatchObject({
      webhookId: `status-callback-${delivered}-onboarding.cancelled`,
      attempts: 1,
      lastStatusCode: 204,
      lastError: null,
      deliveredAt: expect.any(String) as string,
    });
    expect(body.callbacks[0]).toMatchObject({
      attempts: 1,
      lastStatusCode: 400,
      lastError: 'HTTP 400',
      deliveredAt: null,
    });
    // The log lists ids and codes; what was sent is not shown.
    expect(body.callbacks[0]).not.toHaveProperty('payload');
    expect(received.map((payload) => [payload.type, payload.data.onboardingId])).toEqual([
      ['onboarding.cancelled', delivered],
    ]);
  });

  it('filters by delivery state and limits the number of rows', async () => {
    const failures = (await (await callbackLog('?status=FAILED')).json()) as TIntegrationCallbacksResponse;
    expect(failures.callbacks.map((row) => row.onboardingId)).toEqual([failed]);
    const newest = (await (await callbackLog('?limit=1')).json()) as TIntegrationCallbacksResponse;
    expect(newest.callbacks.map((row) => row.onboardingId)).toEqual([failed]);
  });

  it('is for admins only', async () => {
    const response = await callbackLog('', org.keys.permittedTherapist);
    expect(response.status).toBe(403);
    expect(((await response.json()) as TErrorResponse).error.code).toBe('FORBIDDEN');
  });

  it('does not show another organisation’s integration, nor admit that it exists', async () => {
    const response = await callbackLog('', other.keys.admin);
    expect(response.status).toBe(404);
    expect(((await response.json()) as TErrorResponse).error.code).toBe('NOT_FOUND');
    // Their own integration's log is simply empty.
    const own = (await (
      await callbackLog('', other.keys.admin, other.integrationId)
    ).json()) as TIntegrationCallbacksResponse;
    expect(own.callbacks).toEqual([]);
  });

  it('needs an API key', async () => {
    const response = await service.get(`/v1/integrations/${org.integrationId}/callbacks`);
    expect(response.status).toBe(401);
  });

  it('refuses a bad query or integration id with field errors', async () => {
    const badQuery = await callbackLog('?status=LOST&limit=0');
    expect(badQuery.status).toBe(400);
    const { error } = (await badQuery.json()) as TErrorResponse;
    expect(error.fields?.map((field) => field.path).sort()).toEqual(['query.limit', 'query.status']);
    expect((await callbackLog('', org.keys.admin, 'not-a-uuid')).status).toBe(400);
  });
});
