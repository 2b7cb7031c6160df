/**
 * The codec endpoint the Temporal Web UI and CLI call to read encrypted
 * workflow payloads. One payload key seals every practice's flows, so it is
 * for the deployment's operators only (ops and admins of the organisations in
 * CODEC_OPERATOR_ORGANIZATIONS): a practice's own admin or ops engineer is
 * refused and decodes nothing. Every call is audited, refusals included, and
 * it really decodes what the server stores.
 */
import { randomBytes } from 'node:crypto';
import { startApiServer } from '../../app/http-server';
import type { TWebhookAccepted } from '../../schemas/chart-created-webhook';
import { createLogger } from '../../observability/logger';
import { hashToken } from '../../security/tokens';
import {
  chartCreatedWebhook,
  createTestOrganization,
  testOrganizationSlug,
  type TestOrganization,
} from '../support/factories';
import { eventually, startTestService, type TestService } from '../support/service';
import { cookieName } from '../../http/cookies';

/** The staff session cookie on http:// (tests and npm start): its plain name. */
const STAFF_SESSION = cookieName('staff', 'session', false);

let service: TestService;
/** The deployment's operators, listed in CODEC_OPERATOR_ORGANIZATIONS. */
let operators: TestOrganization;
/** A practice using the deployment, not listed: its flows are the payloads decoded here. */
let practice: TestOrganization;
const UI = 'http://ui.example.test:8233';
const operatorSlug = testOrganizationSlug();

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

beforeAll(async () => {
  service = await startTestService({ temporalUiUrl: UI, codecOperatorOrganizations: [operatorSlug] });
  await service.startWorker();
  [operators, practice] = await Promise.all([
    createTestOrganization(service.database.db, { slug: operatorSlug }),
    createTestOrganization(service.database.db),
  ]);
});

afterAll(async () => {
  await service?.stop();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** The practice's client's chart as Temporal stores it (ciphertext), in the codec's JSON shape. */
async function storedWorkflowInput(): Promise<{ lastName: string; payloads: JsonPayload[]; onboardingId: string }> {
  const event = chartCreatedWebhook();
  const { onboardingId } = (await (
    await service.post(`/v1/webhooks/ehr/${practice.integrationId}`, event)
  ).json()) as TWebhookAccepted;
  const { workflowId } = await eventually(() =>
    service.database.db.onboarding
      .findFirst({ where: { id: onboardingId, status: { not: 'PENDING' } }, select: { workflowId: true } })
      .then((row) => row ?? undefined),
  );
  const { history } = await service.env.client.workflowService.getWorkflowExecutionHistory({
    namespace: service.env.namespace ?? 'default',
    execution: { workflowId },
  });
  const started = history!.events![0]!.workflowExecutionStartedEventAttributes!;
  const payloads = started.input!.payloads!.map((payload) => ({
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
    data: Buffer.from(payload.data!).toString('base64'),
  }));
  expect(Buffer.from(payloads[0]!.data, 'base64').toString('latin1')).not.toContain(event.data.client.lastName);
  return { lastName: event.data.client.lastName, payloads, onboardingId };
}

function auditOf(organizationId: string, action: string) {
  return service.database.db.auditEvent.findMany({
    where: { organizationId, action },
    orderBy: { occurredAt: 'asc' },
    select: { outcome: true, detail: true },
  });
}

it('decodes the stored workflow input for the deployment’s ops, and for nobody else', async () => {
  const { lastName, payloads, onboardingId } = await storedWorkflowInput();
  const decode = (headers: Record<string, string>) => service.post('/codec/decode', { payloads }, headers);

  expect((await decode({})).status).toBe(401);
  expect((await decode(bearer(operators.keys.therapist))).status).toBe(403);
  // The practice's own admin and ops engineer: refused, and nothing of the client in the answer.
  for (const key of [practice.keys.admin, practice.keys.ops, practice.keys.therapist]) {
    const refused = await decode(bearer(key));
    expect(refused.status).toBe(403);
    const text = await refused.text();
    expect(text).not.toContain(lastName);
    expect(text).not.toContain(payloads[0]!.data);
  }

  const decoded = await decode({ ...bearer(operators.keys.ops), 'x-namespace': 'default' });
  expect(decoded.status).toBe(200);
  const body = (await decoded.json()) as { payloads: JsonPayload[] };
  const input = Buffer.from(body.payloads[0]!.data, 'base64').toString('utf8');
  expect(Buffer.from(body.payloads[0]!.metadata.encoding!, 'base64').toString()).toBe('json/plain');
  expect(input).toContain(lastName);

  // Every use is on the caller's trail: the operators' decode and their therapist's refusal, the practice's refusals.
  expect(await auditOf(operators.organizationId, 'temporal.decode')).toEqual([
    { outcome: 'denied', detail: { code: 'FORBIDDEN', reason: 'role' } },
    { outcome: 'success', detail: { payloads: 1, namespace: 'default' } },
  ]);
  // The practice whose client was decrypted sees the operators' decode on that client's trail too.
  expect(await auditOf(practice.organizationId, 'temporal.decode')).toEqual([
    { outcome: 'denied', detail: { code: 'FORBIDDEN', reason: 'not_operator_organization' } },
    { outcome: 'denied', detail: { code: 'FORBIDDEN', reason: 'not_operator_organization' } },
    { outcome: 'denied', detail: { code: 'FORBIDDEN', reason: 'role' } },
    {
      outcome: 'success',
      detail: { payloads: 1, namespace: 'default', operatorOrganizationId: operators.organizationId },
    },
  ]);
  const onPracticeTrail = await service.database.db.auditEvent.findFirstOrThrow({
    where: { organizationId: practice.organizationId, action: 'temporal.decode', outcome: 'success' },
  });
  expect(onPracticeTrail).toMatchObject({ actorType: 'staff', onboardingId });
  const operator = await service.database.db.staffUser.findUniqueOrThrow({ where: { id: onPracticeTrail.actorId! } });
  expect(operator.organizationId).toBe(operators.organizationId);
  const clientAudit = (await (
    await service.get(
      `/v1/clients/${onPracticeTrail.clientId}/audit?action=temporal.decode`,
      bearer(practice.keys.admin),
    )
  ).json()) as { events: { action: string; actor: { id: string } }[] };
  expect(clientAudit.events).toEqual([
    expect.objectContaining({ action: 'temporal.decode', actor: { type: 'staff', id: operator.id } }),
  ]);

  // Round trip: what it encodes, it decodes. The operators' admin may too; the practice's may not.
  const encode = (key: string) => service.post('/codec/encode', { payloads: body.payloads }, bearer(key));
  expect((await encode(practice.keys.admin)).status).toBe(403);
  const encoded = (await (await encode(operators.keys.admin)).json()) as { payloads: JsonPayload[] };
  expect(Buffer.from(encoded.payloads[0]!.data, 'base64').toString('latin1')).not.toContain(lastName);
  const again = (await (await service.post('/codec/decode', encoded, bearer(operators.keys.admin))).json()) as {
    payloads: JsonPayload[];
  };
  expect(Buffer.from(again.payloads[0]!.data, 'base64').toString('utf8')).toContain(lastName);
});

it('refuses everyone when no operator organisation is configured (the production default)', async () => {
  const { lastName, payloads } = await storedWorkflowInput();
  const unconfigured = await startApiServer(
    {
      db: service.database.db,
      temporal: service.env.client,
      taskQueue: service.taskQueue,
      logger: createLogger({ level: 'silent' }),
      tokenSigningKey: Buffer.alloc(32, 7),
      publicBaseUrl: 'http://127.0.0.1',
      payloadKeys: service.keys,
    },
    { host: '127.0.0.1', port: 0 },
  );
  try {
    for (const key of [operators.keys.ops, operators.keys.admin, practice.keys.admin]) {
      const refused = await fetch(`${unconfigured.url}/codec/decode`, {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'application/json' },
        body: JSON.stringify({ payloads }),
      });
      expect(refused.status).toBe(403);
      expect(await refused.text()).not.toContain(lastName);
    }
  } finally {
    await unconfigured.close();
  }
});

it('answers the Web UI’s preflight for its own origin only, and refuses what is not a payload', async () => {
  const preflight = (origin: string) =>
    fetch(`${service.api.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
  const ui = await preflight(UI);
  expect(ui.status).toBe(204);
  expect(ui.headers.get('access-control-allow-origin')).toBe(UI);
  expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

  const garbage = await service.post(
    '/codec/decode',
    { payloads: [{ metadata: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==' }, data: 'AAAA' }] },
    bearer(operators.keys.ops),
  );
  expect(garbage.status).toBe(400);
  expect((await service.post('/codec/decode', { nope: true }, bearer(operators.keys.ops))).status).toBe(400);
});

/** A staff dashboard session of this staff member, as the browser holds it (the cookie's value). */
async function dashboardSession(staffUserId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await service.database.db.staffSession.create({
    data: { staffUserId, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + 60 * 60 * 1000) },
  });
  return token;
}

it('lets the Web UI decode with the dashboard session its browser sends, from the UI’s origin only', async () => {
  const { lastName, payloads } = await storedWorkflowInput();
  const fromUi = (headers: Record<string, string>) =>
    fetch(`${service.api.url}/staff/codec/decode`, {
      method: 'POST',
      headers: { origin: UI, 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify({ payloads }),
    });

  // The browser's preflight for a credentialed POST with the UI's headers.
  const preflight = await fetch(`${service.api.url}/staff/codec/decode`, {
    method: 'OPTIONS',
    headers: {
      origin: UI,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-namespace',
    },
  });
  expect(preflight.status).toBe(204);
  expect(preflight.headers.get('access-control-allow-origin')).toBe(UI);
  expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
  expect(preflight.headers.get('access-control-allow-headers')).toMatch(/x-namespace/i);

  const session = await dashboardSession(operators.adminId);
  const decoded = await fromUi({ cookie: `${STAFF_SESSION}=${session}` });
  expect(decoded.status).toBe(200);
  expect(decoded.headers.get('access-control-allow-origin')).toBe(UI);
  expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');
  const body = (await decoded.json()) as { payloads: JsonPayload[] };
  expect(Buffer.from(body.payloads[0]!.data, 'base64').toString('utf8')).toContain(lastName);

  // Without the cookie, with an unknown one, or as the practice's own admin: nothing decoded.
  expect((await fromUi({})).status).toBe(401);
  expect((await fromUi({ cookie: `${STAFF_SESSION}=${randomBytes(32).toString('base64url')}` })).status).toBe(401);
  const practiceAdmin = await fromUi({ cookie: `${STAFF_SESSION}=${await dashboardSession(practice.adminId)}` });
  expect(practiceAdmin.status).toBe(403);
  expect(await practiceAdmin.text()).not.toContain(lastName);

  // Another origin gets no CORS grant, so its browser never shows it the answer.
  const evil = await fromUi({ origin: 'https://evil.example', cookie: `${STAFF_SESSION}=${session}` });
  expect(evil.headers.get('access-control-allow-origin')).toBeNull();
});

it('audits a refused caller once however often its client retries', async () => {
  const { payloads } = await storedWorkflowInput();
  const other = await createTestOrganization(service.database.db);
  for (let attempt = 0; attempt < 12; attempt += 1) {
    expect((await service.post('/codec/decode', { payloads }, bearer(other.keys.ops))).status).toBe(403);
  }
  expect((await service.post('/codec/decode', { payloads }, bearer(other.keys.admin))).status).toBe(403);
  // One row for the ops engineer's twelve calls, one for the admin: each caller's first refusal.
  expect(await auditOf(other.organizationId, 'temporal.decode')).toEqual([
    { outcome: 'denied', detail: { code: 'FORBIDDEN', reason: 'not_operator_organization' } },
    { outcome: 'denied', detail: { code: 'FORBIDDEN', reason: 'not_operator_organization' } },
  ]);
});
