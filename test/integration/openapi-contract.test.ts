/**
 * The OpenAPI document is a contract (issue 13, item 14): every operation the
 * running app lists at /openapi.json is sent one request its schemas allow
 * and several they refuse (a malformed path id, a query value out of range,
 * a body missing a required field, of the wrong type, with an unknown field,
 * not JSON, a method the path lacks, no credentials), and every status
 * answered must be one the operation declares. Refused requests must be a
 * 4xx; the allowed one must not be a 5xx.
 *
 * The allowed requests are hand-written below per operationId (a new
 * operation fails here until it is given one), and checked against the zod
 * schema the route validates with.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import type { z } from 'zod';
import { createStripeProvider } from '../../payments/stripe-provider';
import { signDeliveryEvent } from '../../emails/delivery-events';
import { ZIntegrationParams } from '../../api/routes/ehr-webhooks';
import { ZCodecRequest } from '../../schemas/codec';
import { ZChangePortalOwnerRequest } from '../../schemas/onboarding';
import { ZAddPortalUserRequest, ZUpdatePortalUserRequest } from '../../schemas/portal-users';
import { ZPublishFormRequest, ZPutFormPackageRequest, ZSendFormsRequest } from '../../schemas/forms';
import { ZOpsBulkRequest, ZOpsResetRequest, ZOpsTerminateRequest } from '../../schemas/ops';
import { ZPracticeSettingsPatch } from '../../schemas/practice-settings';
import { ZIntegrationCreate, ZIntegrationPatch, ZIntegrationRotate } from '../../schemas/integrations';
import { ZApiKeyCreate } from '../../schemas/api-keys';
import { ZReassignClients, ZStaffPatch } from '../../schemas/staff';
import { ZStaffInvitationRequest } from '../../schemas/staff-invitations';
import { ZChartCreatedWebhook } from '../../schemas/chart-created-webhook';
import {
  chartCreatedWebhook,
  createTestOrganization,
  signedWebhookHeaders,
  testOrganizationSlug,
  type TestOrganization,
} from '../support/factories';
import { startTestService, type TestService } from '../support/service';

type JsonSchema = {
  type?: string | string[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  required?: string[];
  oneOf?: JsonSchema[];
  additionalProperties?: unknown;
  properties?: Record<string, JsonSchema>;
};

interface DocumentedOperation {
  operationId: string;
  security: unknown[];
  parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, unknown>;
}

interface Operation {
  label: string;
  method: string;
  path: string;
  methodsOfPath: string[];
  op: DocumentedOperation;
}

/** One request the schemas allow, for each operation. */
interface ValidRequest {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** The zod schema the route validates the body with. */
  bodySchema?: z.ZodType;
}

const STRIPE_WEBHOOK_SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const slug = testOrganizationSlug();
const formKey = `contract-${randomBytes(3).toString('hex')}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const inDays = (days: number) => new Date(Date.now() + days * 24 * 60 * 60 * 1000).toISOString();

let service: TestService;
let org: TestOrganization;
let onboardingId: string;
let operations: Operation[];

function validRequests(): Record<string, ValidRequest> {
  const onboarding = { params: { onboardingId } };
  return {
    receiveEhrWebhook: {
      params: { integrationId: org.integrationId },
      body: chartCreatedWebhook({ invite: false }),
      bodySchema: ZChartCreatedWebhook,
    },
    receiveStripeWebhook: {
      body: {
        id: `evt_${randomBytes(12).toString('hex')}`,
        object: 'event',
        type: 'checkout.session.expired',
        data: { object: { id: `cs_test_${randomBytes(8).toString('hex')}`, object: 'checkout.session', metadata: {} } },
      },
    },
    receiveEmailEvent: {
      body: {
        type: 'email.delivered',
        created_at: new Date().toISOString(),
        data: { email_id: randomUUID() },
      },
    },
    getOnboarding: onboarding,
    listOnboardingPayments: onboarding,
    resendInvitation: onboarding,
    revokePortalAccess: onboarding,
    restorePortalAccess: onboarding,
    changePortalOwner: {
      ...onboarding,
      body: { name: 'Mary Guardian', email: `guardian-${randomBytes(3).toString('hex')}@example.test` },
      bodySchema: ZChangePortalOwnerRequest,
    },
    cancelOnboarding: onboarding,
    listPortalUsers: onboarding,
    addPortalUser: {
      ...onboarding,
      body: {
        name: 'Pat Parent',
        email: `parent-${randomBytes(3).toString('hex')}@example.test`,
        relationship: 'PARENT',
        permissions: ['BASIC', 'FORMS'],
      },
      bodySchema: ZAddPortalUserRequest,
    },
    updatePortalUser: {
      params: { onboardingId, portalUserId: randomUUID() },
      body: { permissions: ['BASIC'] },
      bodySchema: ZUpdatePortalUserRequest,
    },
    removePortalUser: { params: { onboardingId, portalUserId: randomUUID() } },
    resendPortalUserInvitation: { params: { onboardingId, portalUserId: randomUUID() } },
    revokePortalUserInvitation: { params: { onboardingId, portalUserId: randomUUID() } },
    listOnboardingForms: onboarding,
    sendForms: { ...onboarding, body: { packageKey: org.formPackageKey }, bodySchema: ZSendFormsRequest },
    getSignedForm: { params: { onboardingId, assignmentId: randomUUID() } },
    getSignedFormPdf: { params: { onboardingId, assignmentId: randomUUID() } },
    listForms: {},
    publishForm: {
      body: {
        key: formKey,
        title: 'Contract check',
        definition: {
          sections: [{ title: 'Sleep', questions: [{ id: 'hours', type: 'short_text', label: 'Hours a night' }] }],
        },
      },
      bodySchema: ZPublishFormRequest,
    },
    getForm: { params: { key: formKey } },
    getFormVersion: { params: { key: formKey, version: '1' } },
    listFormPackages: {},
    putFormPackage: {
      params: { key: `${formKey}-package` },
      body: { name: 'Contract package', forms: [formKey] },
      bodySchema: ZPutFormPackageRequest,
    },
    getClientAudit: { params: { clientId: randomUUID() }, query: { limit: '5' } },
    getPracticeSettings: {},
    updatePracticeSettings: { body: { timeZone: 'America/New_York' }, bodySchema: ZPracticeSettingsPatch },
    listIntegrationCallbacks: { params: { integrationId: org.integrationId }, query: { limit: '5' } },
    listIntegrations: {},
    createIntegration: { body: { name: 'Contract EHR', vendor: 'Acme EHR' }, bodySchema: ZIntegrationCreate },
    getIntegration: { params: { integrationId: org.integrationId } },
    updateIntegration: {
      params: { integrationId: org.integrationId },
      body: { callbackEvents: ['onboarding.registered'] },
      bodySchema: ZIntegrationPatch,
    },
    rotateIntegrationSecret: {
      params: { integrationId: org.integrationId },
      body: { previousValidUntil: new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString() },
      bodySchema: ZIntegrationRotate,
    },
    pingIntegrationCallback: { params: { integrationId: org.integrationId } },
    listIntegrationDeliveries: { params: { integrationId: org.integrationId } },
    redeliverIntegrationCallback: { params: { integrationId: org.integrationId, callbackId: randomUUID() } },
    listApiKeys: {},
    createApiKey: { body: { name: 'Contract key', scope: 'read', expiresAt: inDays(30) }, bodySchema: ZApiKeyCreate },
    revokeApiKey: { params: { apiKeyId: randomUUID() } },
    listStaff: {},
    getStaffMember: { params: { staffUserId: org.therapistId } },
    updateStaffMember: { params: { staffUserId: org.therapistId }, body: { canInvite: true }, bodySchema: ZStaffPatch },
    deactivateStaffMember: { params: { staffUserId: randomUUID() } },
    reassignStaffClients: {
      params: { staffUserId: org.therapistId },
      body: { toStaffUserId: org.permittedTherapistId },
      bodySchema: ZReassignClients,
    },
    listStaffInvitations: {},
    inviteStaffMember: {
      body: { email: `contract-${randomUUID().slice(0, 8)}@example.test`, displayName: 'Contract', role: 'OPS' },
      bodySchema: ZStaffInvitationRequest,
    },
    resendStaffInvitation: { params: { invitationId: randomUUID() } },
    revokeStaffInvitation: { params: { invitationId: randomUUID() } },
    listOpsOnboardings: { query: { state: 'stuck', limit: '5' } },
    describeOpsOnboarding: onboarding,
    opsCancelOnboarding: onboarding,
    opsTerminateOnboarding: { ...onboarding, body: { reason: 'contract check' }, bodySchema: ZOpsTerminateRequest },
    opsResetOnboarding: {
      ...onboarding,
      body: { to: 'last-workflow-task', reason: 'contract check' },
      bodySchema: ZOpsResetRequest,
    },
    opsRetryOnboarding: onboarding,
    opsBulk: { body: { action: 'cancel', query: { state: 'failed' } }, bodySchema: ZOpsBulkRequest },
    codecDecode: { body: { payloads: [] }, bodySchema: ZCodecRequest },
    codecEncode: {
      body: { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"contract"') }] },
      bodySchema: ZCodecRequest,
    },
    liveness: {},
    readiness: {},
    metrics: {},
  };
}

interface Sent {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  raw?: { text: string; contentType: string };
  method?: string;
  credentials?: boolean;
}

async function send(operation: Operation, request: Sent): Promise<number> {
  const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    encodeURIComponent(request.params?.[name] ?? ''),
  );
  const query = new URLSearchParams(request.query ?? {}).toString();
  const text = request.raw?.text ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const headers: Record<string, string> = {};
  if (text !== undefined) headers['content-type'] = request.raw?.contentType ?? 'application/json';
  if (request.credentials !== false) {
    if (operation.op.security.length > 0) headers.authorization = `Bearer ${org.keys.admin}`;
    if (operation.op.operationId === 'receiveEhrWebhook')
      Object.assign(headers, signedWebhookHeaders(org.webhookSecret, text ?? ''));
    if (operation.op.operationId === 'receiveEmailEvent') {
      Object.assign(
        headers,
        await signDeliveryEvent(service.emailEventsSecret, text ?? '', {
          id: `msg_${randomBytes(12).toString('hex')}`,
        }),
      );
    }
    if (operation.op.operationId === 'receiveStripeWebhook') {
      headers['stripe-signature'] = Stripe.webhooks.generateTestHeaderString({
        payload: text ?? '',
        secret: STRIPE_WEBHOOK_SECRET,
      });
    }
  }
  const response = await fetch(`${service.api.url}${path}${query ? `?${query}` : ''}`, {
    method: request.method ?? operation.method,
    headers,
    ...(text === undefined ? {} : { body: text }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** A value of another JSON type than the schema's. */
function wrongType(schema: JsonSchema | undefined): unknown {
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  return type === 'string' ? 12345 : 'not-the-right-type';
}

/** The requests the document's schemas refuse, each with what it is. */
function invalidRequests(operation: Operation, valid: ValidRequest): [string, Sent][] {
  const cases: [string, Sent][] = [];
  const parameters = operation.op.parameters ?? [];
  for (const parameter of parameters.filter((p) => p.in === 'path')) {
    const { schema } = parameter;
    if (schema.format || schema.pattern || schema.type === 'integer') {
      cases.push([
        `malformed path parameter ${parameter.name}`,
        { ...valid, params: { ...valid.params, [parameter.name]: 'not an id!' } },
      ]);
    }
  }
  for (const parameter of parameters.filter((p) => p.in === 'query')) {
    const { schema } = parameter;
    const bad: string[] = [];
    if (schema.type === 'integer' || schema.type === 'number') {
      bad.push('not-a-number');
      if (schema.minimum !== undefined) bad.push(String(schema.minimum - 1));
    }
    if (schema.enum) bad.push('no-such-value');
    if (schema.pattern) bad.push('!!!');
    for (const value of bad) {
      cases.push([
        `query ${parameter.name}=${value}`,
        { ...valid, query: { ...valid.query, [parameter.name]: value } },
      ]);
    }
  }
  const body = operation.op.requestBody?.content['application/json'].schema;
  if (body && valid.body !== undefined) {
    const constrained = Boolean(body.required?.length || body.oneOf);
    if (constrained) {
      cases.push(['an empty body object', { ...valid, body: {} }]);
      const [first] = Object.keys(valid.body as object);
      const properties = body.properties ?? body.oneOf?.[0]?.properties ?? {};
      cases.push([
        `body field ${first} of the wrong type`,
        { ...valid, body: { ...(valid.body as object), [first!]: wrongType(properties[first!]) } },
      ]);
      cases.push(['a body that is an array', { ...valid, body: [] }]);
    }
    if (body.additionalProperties === false) {
      cases.push(['an unknown body field', { ...valid, body: { ...(valid.body as object), unexpectedField: 1 } }]);
    }
    cases.push(['a body that is not JSON', { ...valid, raw: { text: 'hello', contentType: 'text/plain' } }]);
    cases.push(['malformed JSON', { ...valid, raw: { text: '{"a":', contentType: 'application/json' } }]);
  }
  if (operation.op.security.length > 0) cases.push(['no credentials', { ...valid, credentials: false }]);
  const other = ['DELETE', 'PATCH', 'PUT', 'POST'].find((method) => !operation.methodsOfPath.includes(method));
  cases.push([`method ${other}`, { ...valid, method: other! }]);
  return cases;
}

/** Values at the edges of what a parameter's schema allows: each must be accepted (not a 400). */
function allowedEdges(operation: Operation, valid: ValidRequest): [string, Sent][] {
  const cases: [string, Sent][] = [];
  for (const parameter of operation.op.parameters ?? []) {
    if (parameter.in !== 'path' && parameter.in !== 'query') continue;
    const { schema } = parameter;
    const values = [
      ...(schema.type === 'integer' ? [schema.minimum, schema.maximum].filter((v) => v !== undefined) : []),
      ...(schema.enum ?? []),
    ].map(String);
    for (const value of values) {
      const where = parameter.in === 'path' ? 'params' : 'query';
      cases.push([
        `${parameter.in} ${parameter.name}=${value}`,
        { ...valid, [where]: { ...valid[where], [parameter.name]: value } },
      ]);
    }
  }
  return cases;
}

beforeAll(async () => {
  service = await startTestService({
    codecOperatorOrganizations: [slug],
    emailEvents: true,
    payments: createStripeProvider({
      secretKey: 'sk_test_contract',
      webhookSecret: STRIPE_WEBHOOK_SECRET,
      apiBaseUrl: 'http://127.0.0.1:9',
    }),
  });
  await service.startWorker();
  org = await createTestOrganization(service.database.db, { slug });
  const body = JSON.stringify(chartCreatedWebhook({ invite: true }));
  const created = await service.post(
    `/v1/webhooks/ehr/${org.integrationId}`,
    JSON.parse(body),
    signedWebhookHeaders(org.webhookSecret, body),
  );
  expect(created.status).toBe(202);
  ({ onboardingId } = (await created.json()) as { onboardingId: string });

  const document = (await (await service.get('/openapi.json')).json()) as {
    paths: Record<string, Record<string, DocumentedOperation>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      label: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      methodsOfPath: Object.keys(methods).map((m) => m.toUpperCase()),
      op,
    })),
  );
}, 120_000);

afterAll(async () => {
  await service?.stop();
});

describe('the OpenAPI document as a contract', () => {
  it('lists every operation this deployment serves, each with an allowed request here', () => {
    expect(operations.length).toBeGreaterThanOrEqual(34);
    const valid = validRequests();
    expect(operations.filter(({ op }) => !valid[op.operationId]).map(({ label }) => label)).toEqual([]);
    // The allowed bodies are allowed by the routes' own validators (and the path ids by theirs).
    for (const request of Object.values(valid)) {
      if (request.bodySchema) expect(request.bodySchema.safeParse(request.body).error).toBeUndefined();
    }
    expect(ZIntegrationParams.safeParse({ integrationId: org.integrationId }).success).toBe(true);
  });

  it('answers every operation, allowed or refused, only with statuses it declares', async () => {
    const valid = validRequests();
    const problems: string[] = [];
    let refusals = 0;
    for (const operation of operations) {
      const declared = Object.keys(operation.op.responses);
      const request = valid[operation.op.operationId]!;
      const status = await send(operation, request);
      if (process.env.CONTRACT_DEBUG) console.log(operation.label, status);
      if (!declared.includes(String(status))) problems.push(`${operation.label} (allowed): undeclared ${status}`);
      if (status >= 500) problems.push(`${operation.label} (allowed): ${status}`);
      for (const [what, sent] of invalidRequests(operation, request)) {
        const refused = await send(operation, sent);
        refusals += 1;
        if (!declared.includes(String(refused))) problems.push(`${operation.label} (${what}): undeclared ${refused}`);
        if (refused < 400 || refused >= 500) problems.push(`${operation.label} (${what}): not a 4xx but ${refused}`);
      }
    }
    expect(problems).toEqual([]);
    expect(refusals).toBeGreaterThan(4 * operations.length);
  }, 180_000);

  it('accepts every parameter value its schema allows, at the edges and for each enum member', async () => {
    const valid = validRequests();
    const problems: string[] = [];
    let sent = 0;
    for (const operation of operations) {
      const declared = Object.keys(operation.op.responses);
      for (const [what, request] of allowedEdges(operation, valid[operation.op.operationId]!)) {
        const status = await send(operation, request);
        sent += 1;
        if (!declared.includes(String(status))) problems.push(`${operation.label} (${what}): undeclared ${status}`);
        if (status === 400 || status >= 500) problems.push(`${operation.label} (${what}): refused with ${status}`);
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(10);
  }, 120_000);
});
