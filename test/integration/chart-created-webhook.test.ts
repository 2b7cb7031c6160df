/**
 * An EHR's chart-created webhook through the real stack: HTTP API → Temporal
 * dev server → worker → PostgreSQL, and back out through GET.
 */
import type { TErrorResponse } from '../../schemas/error-response';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import type { TOnboardingResponse } from '../../schemas/onboarding';
import { newWebhookSecret } from '../../security/standard-webhooks';
import {
  chartCreatedWebhook,
  createTestOrganization,
  signedWebhookHeaders,
  testSecretBox,
  type TestOrganization,
} from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';

let service: TestService;
let org: TestOrganization;
let webhookPath: string;

beforeAll(async () => {
  service = await startTestService();
  await service.startWorker();
  org = await createTestOrganization(service.database.db);
  webhookPath = `/v1/webhooks/ehr/${org.integrationId}`;
});

afterAll(async () => {
  await service?.stop();
});

async function counts() {
  const { db } = service.database;
  const [onboardings, clients, events] = await Promise.all([
    db.onboarding.count({ where: { organizationId: org.organizationId } }),
    db.client.count({ where: { organizationId: org.organizationId } }),
    db.onboardingEvent.count({ where: { onboarding: { organizationId: org.organizationId } } }),
  ]);
  return { onboardings, clients, events };
}

function asAdmin(): Record<string, string> {
  return { authorization: `Bearer ${org.keys.admin}` };
}

async function waitForStatus(onboardingId: string, status: string): Promise<TOnboardingResponse> {
  return eventually(
    async () => {
      const response = await service.get(`/v1/onboardings/${onboardingId}`, asAdmin());
      const body = (await response.json()) as TOnboardingResponse;
      return body.status === status ? body : undefined;
    },
    { what: `onboarding ${onboardingId} to reach ${status}` },
  );
}

async function runsOf(workflowId: string): Promise<number> {
  let runs = 0;
  for await (const _ of service.env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs += 1;
  return runs;
}

describe('POST /v1/webhooks/ehr/:integrationId (chart.created)', () => {
  it('creates the chart and invites the client through the workflow, and GET reads its status back', async () => {
    const event = chartCreatedWebhook({ formPackageKey: org.formPackageKey });
    const response = await service.post(webhookPath, event);
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as TWebhookAccepted;
    expect(accepted.duplicate).toBe(false);
    expect(response.headers.get('location')).toBe(`/v1/onboardings/${accepted.onboardingId}`);

    const onboarding = await waitForStatus(accepted.onboardingId, 'INVITED');
    expect(onboarding.workflow).toEqual({
      workflowId: `onboarding-${accepted.onboardingId}`,
      executionStatus: 'RUNNING',
    });
    // The package's own flow runs beside it and may already have written its first entries.
    const timeline = onboarding.timeline.map((entry) => entry.type);
    expect(timeline.slice(0, 2)).toEqual(['chart.created', 'invitation.sent']);
    expect(timeline.slice(2).every((type) => ['forms.assigned', 'forms.email_sent'].includes(type))).toBe(true);
    expect(onboarding.invitation).toMatchObject({ sequence: 1, status: 'PENDING', failedAttempts: 0 });
    expect(onboarding.portalAccount).toEqual({ status: 'INVITED', ownerKind: 'CLIENT' });
    expect(onboarding.inviteRequested).toBe(true);
    expect(onboarding.formPackageId).not.toBeNull();
    // What staff read back holds no PHI.
    expect(JSON.stringify(onboarding)).not.toContain(event.data.client.lastName);

    const client = await service.database.db.client.findUniqueOrThrow({ where: { id: onboarding.clientId! } });
    expect(client).toMatchObject({ lastName: event.data.client.lastName, email: event.data.client.email });
  });

  it('starts one workflow and creates one chart when the same webhook arrives twice', async () => {
    const event = chartCreatedWebhook();
    const first = (await (await service.post(webhookPath, event)).json()) as TWebhookAccepted;
    await waitForStatus(first.onboardingId, 'INVITED');

    const again = await service.post(webhookPath, event);
    expect(again.status).toBe(200);
    const second = (await again.json()) as TWebhookAccepted;
    expect(second).toMatchObject({ onboardingId: first.onboardingId, duplicate: true, status: 'INVITED' });

    expect(await runsOf(`onboarding-${first.onboardingId}`)).toBe(1);
    const { db } = service.database;
    expect(await db.client.count({ where: { externalChartId: event.data.externalChartId } })).toBe(1);
  });

  it('starts one workflow when ten copies of a webhook race each other', async () => {
    const event = chartCreatedWebhook();
    const responses = await Promise.all(Array.from({ length: 10 }, () => service.post(webhookPath, event)));
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as TWebhookAccepted[];

    expect(responses.map((response) => response.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 202,
    ]);
    const ids = new Set(bodies.map((body) => body.onboardingId));
    expect(ids.size).toBe(1);
    const [onboardingId] = [...ids];
    await waitForStatus(onboardingId!, 'INVITED');
    expect(await runsOf(`onboarding-${onboardingId}`)).toBe(1);
    const { db } = service.database;
    expect(await db.client.count({ where: { externalChartId: event.data.externalChartId } })).toBe(1);
    expect(await db.onboardingEvent.count({ where: { onboardingId, type: 'chart.created' } })).toBe(1);
    expect(await db.invitation.count({ where: { onboardingId } })).toBe(1);
  });

  it('starts no second run for a chart whose onboarding has finished, under a new webhook-id', async () => {
    const event = chartCreatedWebhook();
    const first = (await (await service.post(webhookPath, event)).json()) as TWebhookAccepted;
    await waitForStatus(first.onboardingId, 'INVITED');
    const workflowId = `onboarding-${first.onboardingId}`;
    // Staff cancel it: the workflow closes, so Temporal itself would now accept the same id again.
    await eventually(async () => {
      const cancelled = await service.post(`/v1/onboardings/${first.onboardingId}/cancel`, {}, asAdmin());
      return cancelled.status === 200 ? true : undefined;
    });
    await service.env.client.workflow.getHandle(workflowId).result();

    const again = await service.post(webhookPath, event);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      onboardingId: first.onboardingId,
      duplicate: true,
      status: 'CANCELLED',
    });
    expect(await runsOf(workflowId)).toBe(1);
    const { db } = service.database;
    expect(await db.onboarding.count({ where: { externalChartId: event.data.externalChartId } })).toBe(1);
  });

  it('treats the same EHR chart id in another organisation as another client', async () => {
    const other = await createTestOrganization(service.database.db);
    const event = chartCreatedWebhook();
    const mine = (await (await service.post(webhookPath, event)).json()) as TWebhookAccepted;
    const theirs = (await (
      await service.post(`/v1/webhooks/ehr/${other.integrationId}`, event)
    ).json()) as TWebhookAccepted;
    expect(theirs.duplicate).toBe(false);
    expect(theirs.onboardingId).not.toBe(mine.onboardingId);
    const a = await waitForStatus(mine.onboardingId, 'INVITED');
    const theirsRead = await service.get(`/v1/onboardings/${theirs.onboardingId}`, {
      authorization: `Bearer ${other.keys.admin}`,
    });
    expect(theirsRead.status).toBe(200);
    const b = await eventually(async () => {
      const body = (await (
        await service.get(`/v1/onboardings/${theirs.onboardingId}`, { authorization: `Bearer ${other.keys.admin}` })
      ).json()) as TOnboardingResponse;
      return body.status === 'INVITED' ? body : undefined;
    });
    expect(a.clientId).not.toBe(b.clientId);
    // Neither organisation can read the other's onboarding: it answers as if it did not exist.
    expect((await service.get(`/v1/onboardings/${theirs.onboardingId}`, asAdmin())).status).toBe(404);
  });

  describe('rejects bad input with a clear 4xx and writes nothing', () => {
    let sharedEmail: string;
    beforeAll(async () => {
      // A first client holds this email (its onboarding and invitation are under way).
      const first = chartCreatedWebhook();
      sharedEmail = first.data.client.email!;
      const accepted = (await (await service.post(webhookPath, first)).json()) as TWebhookAccepted;
      await waitForStatus(accepted.onboardingId, 'INVITED');
    });

    const cases: [string, () => Promise<Response>, number, string][] = [
      [
        'missing and malformed fields',
        () =>
          service.post(webhookPath, {
            type: 'chart.created',
            data: {
              externalChartId: '',
              client: { firstName: 'A', dateOfBirth: '1990-13-01', email: 'x@' },
              portal: { invite: true },
            },
          }),
        400,
        'VALIDATION_FAILED',
      ],
      ['a body that is not JSON', () => service.post(webhookPath, '{"type": "chart.created",'), 400, 'MALFORMED_BODY'],
      ['a JSON array', () => service.post(webhookPath, [1, 2, 3]), 400, 'VALIDATION_FAILED'],
      [
        'a body that is not declared as JSON',
        () => service.post(webhookPath, JSON.stringify(chartCreatedWebhook()), { 'content-type': 'text/plain' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        'a body over 64 kB',
        () => service.post(webhookPath, { ...chartCreatedWebhook(), padding: 'x'.repeat(70_000) }),
        413,
        'BODY_TOO_LARGE',
      ],
      [
        'an unknown form package (seed 000: packages must exist first)',
        () => service.post(webhookPath, chartCreatedWebhook({ formPackageKey: 'no-such-package' })),
        422,
        'UNKNOWN_FORM_PACKAGE',
      ],
      [
        'an unknown integration (answered like a bad signature)',
        () => service.post('/v1/webhooks/ehr/00000000-0000-4000-8000-000000000000', chartCreatedWebhook()),
        401,
        'UNAUTHENTICATED',
      ],
      [
        'no signature',
        () =>
          service.post(webhookPath, chartCreatedWebhook(), {
            'webhook-id': 'msg_1',
            'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
            'webhook-signature': '',
          }),
        401,
        'UNAUTHENTICATED',
      ],
      [
        'a signature made with another secret',
        () => {
          const body = JSON.stringify(chartCreatedWebhook());
          return service.post(webhookPath, body, signedWebhookHeaders(newWebhookSecret(), body));
        },
        401,
        'UNAUTHENTICATED',
      ],
      [
        'a body changed after signing',
        () => {
          const body = JSON.stringify(chartCreatedWebhook());
          return service.post(
            webhookPath,
            body.replace('Florence', 'Mallory'),
            signedWebhookHeaders(org.webhookSecret, body),
          );
        },
        401,
        'UNAUTHENTICATED',
      ],
      [
        'a timestamp more than 5 minutes old (a captured request replayed later)',
        () => {
          const body = JSON.stringify(chartCreatedWebhook());
          const timestamp = Math.floor(Date.now() / 1000) - 6 * 60;
          return service.post(webhookPath, body, signedWebhookHeaders(org.webhookSecret, body, { timestamp }));
        },
        401,
        'UNAUTHENTICATED',
      ],
      [
        'an invitation to an email that already belongs to another client (seed 003)',
        () => service.post(webhookPath, chartCreatedWebhook({ email: sharedEmail })),
        409,
        'EMAIL_IN_USE',
      ],
      [
        'an integration id that is not a UUID',
        () => service.post('/v1/webhooks/ehr/abc', chartCreatedWebhook()),
        400,
        'VALIDATION_FAILED',
      ],
    ];

    it.each(cases)('%s', async (_name, send, status, code) => {
      const before = await counts();
      const response = await send();
      expect(response.status).toBe(status);
      const body = (await response.json()) as TErrorResponse;
      expect(body.error.code).toBe(code);
      expect(body.error.requestId).toEqual(expect.any(String));
      expect(JSON.stringify(body)).not.toMatch(/at \S+ \(|node_modules/);
      expect(await counts()).toEqual(before);
    });

    it('names each bad field, without echoing what was sent', async () => {
      const response = await service.post(webhookPath, {
        type: 'chart.created',
        data: {
          externalChartId: 'C-1',
          client: { firstName: 'Zelda', lastName: 'Q', dateOfBirth: '1990-01-01', email: 'zelda-secret@' },
          portal: { invite: true },
        },
      });
      const body = (await response.json()) as TErrorResponse;
      expect(body.error.fields).toEqual([{ path: 'data.client.email', message: 'must be a valid email address' }]);
      expect(JSON.stringify(body)).not.toContain('zelda-secret');
    });
  });
});

describe('Standard Webhooks signatures', () => {
  it('answers a redelivered webhook-id from the delivery log, starting nothing', async () => {
    const body = JSON.stringify(chartCreatedWebhook());
    const headers = signedWebhookHeaders(org.webhookSecret, body, { id: 'msg_redelivered_1' });
    const first = await service.post(webhookPath, body, headers);
    expect(first.status).toBe(202);
    const { onboardingId } = (await first.json()) as TWebhookAccepted;

    const again = await service.post(webhookPath, body, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ onboardingId, duplicate: true });
    expect(
      await service.database.db.inboundWebhook.count({
        where: { integrationId: org.integrationId, webhookId: 'msg_redelivered_1' },
      }),
    ).toBe(1);
  });

  it('answers a redelivered webhook-id from the log even when its body names another chart: nothing new is created', async () => {
    const first = chartCreatedWebhook();
    const firstBody = JSON.stringify(first);
    const accepted = await service.post(
      webhookPath,
      firstBody,
      signedWebhookHeaders(org.webhookSecret, firstBody, { id: 'msg_reused_id_1' }),
    );
    expect(accepted.status).toBe(202);
    const { onboardingId } = (await accepted.json()) as TWebhookAccepted;
    const before = await counts();

    // Correctly signed, same webhook-id, another chart: the id was seen, so the body is not acted on.
    const other = chartCreatedWebhook();
    const otherBody = JSON.stringify(other);
    const reused = await service.post(
      webhookPath,
      otherBody,
      signedWebhookHeaders(org.webhookSecret, otherBody, { id: 'msg_reused_id_1' }),
    );
    expect(reused.status).toBe(200);
    expect(await reused.json()).toMatchObject({ onboardingId, duplicate: true });
    const { db } = service.database;
    expect(await db.client.count({ where: { externalChartId: other.data.externalChartId } })).toBe(0);
    expect(await db.onboarding.count({ where: { externalChartId: other.data.externalChartId } })).toBe(0);
    expect((await counts()).onboardings).toBe(before.onboardings);
  });

  it('accepts the previous secret during a rotation, and not after it ends', async () => {
    const { db } = service.database;
    const rotating = await createTestOrganization(db);
    const path = `/v1/webhooks/ehr/${rotating.integrationId}`;
    const newSecret = newWebhookSecret();
    await db.ehrIntegration.update({
      where: { id: rotating.integrationId },
      data: {
        // Stored sealed, as the database requires (a rotation by hand seals with `secrets:encrypt -- --seal`).
        signingSecret: testSecretBox.seal(newSecret),
        previousSigningSecret: testSecretBox.seal(rotating.webhookSecret),
        previousSecretExpiresAt: new Date(Date.now() + 60_000),
      },
    });
    const signedWith = (secret: string) => {
      const body = JSON.stringify(chartCreatedWebhook({ invite: false }));
      return service.post(path, body, signedWebhookHeaders(secret, body));
    };
    expect((await signedWith(newSecret)).status).toBe(202);
    expect((await signedWith(rotating.webhookSecret)).status).toBe(202);

    await db.ehrIntegration.update({
      where: { id: rotating.integrationId },
      data: { previousSecretExpiresAt: new Date(Date.now() - 1000) },
    });
    expect((await signedWith(rotating.webhookSecret)).status).toBe(401);
    expect((await signedWith(newSecret)).status).toBe(202);
  });
});

describe('GET /v1/onboardings/:onboardingId', () => {
  it('answers 401 without a valid staff API key', async () => {
    const path = '/v1/onboardings/00000000-0000-4000-8000-000000000000';
    expect((await service.get(path)).status).toBe(401);
    expect((await service.get(path, { authorization: 'Bearer not-a-real-key-but-long-enough' })).status).toBe(401);
    expect((await service.get(path, { authorization: org.keys.admin })).status).toBe(401);
  });

  it('answers 404 for an unknown onboarding and 400 for a malformed id', async () => {
    expect((await service.get('/v1/onboardings/00000000-0000-4000-8000-000000000000', asAdmin())).status).toBe(404);
    const malformed = await service.get('/v1/onboardings/not-a-uuid', asAdmin());
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as TErrorResponse).error.fields?.[0]?.path).toBe('params.onboardingId');
  });
});

describe('health', () => {
  it('reports ready when the database and Temporal answer', async () => {
    const response = await service.get('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });
});
