/**
 * Route access for every operation the API documents (issue 5): who may call
 * it (auth), that one organisation can never read or act on another's data
 * (cross-tenant), that within a practice a therapist reaches only the clients
 * assigned to them (use-cases/client-access-policy.ts), and that malformed ids,
 * queries and bodies are a 4xx, never a 500, and write nothing.
 *
 * The operations are walked from openApiDocument(); each needs an entry in
 * ROUTES below saying how it authenticates and which of practice A's
 * resources go into its path. A route added to the document later fails here
 * ("add a fixture for …") until it is given one.
 *
 * The portal and staff HTML pages are not in the document: they have their
 * own, explicit section at the end.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import { openApiDocument } from '../../api/openapi';
import { cookieName } from '../../http/cookies';
import { currentUser, signIn, type PortalUser } from '../../use-cases/accounts/portal-sessions';
import { registerPortalAccount } from '../../use-cases/accounts/register-portal-account';
import { createLogger } from '../../observability/logger';
import { createStripeProvider } from '../../payments/stripe-provider';
import { newWebhookSecret } from '../../security/standard-webhooks';
import { signDeliveryEvent } from '../../emails/delivery-events';
import { hashToken, randomToken } from '../../security/tokens';
import {
  chartCreatedWebhook,
  createTestOrganization,
  newOnboarding,
  signedWebhookHeaders,
  testOrganizationSlug,
  type TestOrganization,
} from '../support/factories';
import { signAllForms } from '../support/forms';
import { latestRegistrationToken } from '../support/invitations';
import { eventually, startTestService, type TestService } from '../support/service';
import { setStaffPassword, StaffPages } from '../support/staff-login';

/** The portal's session cookie as npm start and the tests name it (http://, so without `__Host-`). */
const SESSION_COOKIE = cookieName('portal', 'session', false);

// ---------------------------------------------------------------------------
// The operations, from the OpenAPI document
// ---------------------------------------------------------------------------

type JsonSchema = { type?: string; format?: string; properties?: Record<string, JsonSchema> };

interface DocumentedOperation {
  security?: unknown[];
  parameters?: { name: string; in: string; schema?: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

interface Operation {
  /** "METHOD /path", as in ROUTES. */
  label: string;
  method: string;
  path: string;
  /** Declares `security` (the staff API key). */
  secured: boolean;
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: string[];
  bodySchema: JsonSchema | null;
}

// The service below runs with Stripe and the codec, so the document lists their operations too.
const DOCUMENT = openApiDocument('http://route-access.test', {
  paymentsProvider: 'stripe',
  codec: true,
  emailEvents: true,
}) as {
  paths: Record<string, Record<string, DocumentedOperation>>;
};

const OPERATIONS: Operation[] = Object.entries(DOCUMENT.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => {
    const declared = operation.parameters ?? [];
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    return {
      label: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      secured: (operation.security ?? []).length > 0,
      pathParams: templated.map((name) => ({
        name,
        schema: declared.find((parameter) => parameter.in === 'path' && parameter.name === name)?.schema ?? {},
      })),
      queryParams: declared.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
      bodySchema: operation.requestBody?.content['application/json']?.schema ?? null,
    };
  }),
);
const LABELS = OPERATIONS.map((operation) => operation.label);

// ---------------------------------------------------------------------------
// The fixture table
// ---------------------------------------------------------------------------

type Role = 'admin' | 'permittedTherapist' | 'therapist' | 'ops';
const ROLES: readonly Role[] = ['admin', 'permittedTherapist', 'therapist', 'ops'];
const ANY_STAFF: readonly Role[] = ROLES;
/** Seed 003: admins and therapists with the invite permission. */
const INVITERS: readonly Role[] = ['admin', 'permittedTherapist'];
/** Ops engineers never read what a client answered. */
const ANSWER_READERS: readonly Role[] = ['admin', 'permittedTherapist', 'therapist'];
const ADMINS: readonly Role[] = ['admin'];
/** The ops API and the codec. */
const OPERATORS: readonly Role[] = ['admin', 'ops'];

/** What the fixtures build: practice A's resources, and practice B to try them with. */
interface World {
  a: TestOrganization;
  b: TestOrganization;
  /**
   * The therapist of practice A (with the invite permission) to whom A's client
   * is assigned. A's other two therapists (keys.therapist, keys.permittedTherapist)
   * are not that client's clinician.
   */
  assignedTherapist: { id: string; key: string };
  /** Practice A's client: registered, every form of the default package signed, assigned to assignedTherapist. */
  onboardingId: string;
  workflowId: string;
  clientId: string;
  assignmentId: string;
  /** A FAILED onboarding of practice A: what the ops list and bulk actions of A would match. */
  failedOnboardingId: string;
  /** A form and a package only practice A has. */
  form: { key: string; id: string; title: string };
  formPackage: { key: string; id: string; name: string };
  /** A therapist of practice A with no clients: the staff-account routes change and deactivate them. */
  spareStaffId: string;
  /** An API key of A's admin, revoked, and its id. */
  revokedKey: string;
  revokedKeyId: string;
  /** A revoked staff invitation of A (no workflow behind it): the invitation routes name it. */
  staffInvitationId: string;
  chartId: string;
  signer: string;
  /** A's client's PHI, its answers, A's private catalogue names and A's ids: none may reach anyone outside A. */
  markers: string[];
  /** Portal sessions: A's client, a second client of practice A, and a client of practice B. */
  portal: { a1: Client; a2: Client; b1: Client };
}

interface Client {
  onboardingId: string;
  session: string;
  /** One of this client's own form assignments. */
  assignmentId: string;
  user: PortalUser;
}

type Access =
  /** Declares `security`: a staff API key, of one of these roles (others get 403). */
  | { kind: 'staff'; roles: readonly Role[] }
  /** The EHR webhook: a Standard Webhooks signature with the integration's secret. */
  | { kind: 'signature' }
  /** The payment provider's webhook: Stripe's signature with the endpoint's secret (STRIPE_WEBHOOK_SECRET). */
  | { kind: 'stripe' }
  /** The email provider's delivery events: a Svix signature with RESEND_WEBHOOK_SECRET. */
  | { kind: 'svix' }
  | { kind: 'public'; reason: string; status: number };

type Tenancy =
  /**
   * The path names practice A's resources by id. Practice B's staff, every role,
   * get 404 where their role may use the route and 403 where not, exactly as
   * for ids that do not exist, with none of A's data, and nothing changes.
   */
  | { kind: 'ids' }
  /** Keyed by something both practices have (form keys) or by the caller's own organisation. */
  | { kind: 'own'; reason: string; check: (world: World) => Promise<void> }
  /** No organisation's data behind it. */
  | { kind: 'none'; reason: string; check: (world: World) => Promise<void> };

interface RouteFixture {
  access: Access;
  /** Practice A's values for the path parameters. */
  params?: (world: World) => Record<string, string>;
  /** A valid body, so that a refusal is about who asks, not what is asked. */
  body?: (world: World) => unknown;
  query?: string;
  tenancy: Tenancy;
  /**
   * Reads only: what A's own admin gets with the same substitution, showing
   * these. Proves the ids are real, and that the leak check can fail.
   */
  control?: { status: number; shows: (world: World) => string[]; binary?: true };
  /** Malformed query strings beyond those derived from the document. */
  badQueries?: () => string[];
}

const staff = (roles: readonly Role[]): Access => ({ kind: 'staff', roles });
const IDS: Tenancy = { kind: 'ids' };
const onboarding = (world: World) => ({ onboardingId: world.onboardingId });
const document = (world: World) => ({ onboardingId: world.onboardingId, assignmentId: world.assignmentId });
const REASON = 'route access test: must not happen';
/** Stripe's endpoint secret in this test (the deployment's, not a practice's). */
const STRIPE_WEBHOOK_SECRET = `whsec_${randomBytes(16).toString('hex')}`;

/** A Stripe event of the kind we act on, about a payment request `paymentRequestId`. */
function stripeEvent(paymentRequestId: string): unknown {
  return {
    id: `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    type: 'checkout.session.expired',
    data: {
      object: {
        id: `cs_test_${randomBytes(12).toString('hex')}`,
        object: 'checkout.session',
        metadata: { paymentRequestId },
      },
    },
  };
}

const CODEC_BODY = {
  payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"route-access"') }],
};

/**
 * Every operation of the OpenAPI document, and how to reach practice A's data
 * through it. An operation missing here fails every section below.
 */
const ROUTES: Record<string, RouteFixture> = {
  'POST /v1/webhooks/ehr/{integrationId}': {
    access: { kind: 'signature' },
    params: (world) => ({ integrationId: world.a.integrationId }),
    body: () => chartCreatedWebhook({ invite: false }),
    tenancy: {
      kind: 'own',
      reason: 'an integration belongs to one practice and only its secret opens it',
      check: webhookTenancy,
    },
  },
  'POST /v1/webhooks/payments/stripe': {
    access: { kind: 'stripe' },
    body: () => stripeEvent(randomUUID()),
    tenancy: {
      kind: 'none',
      reason:
        'signed with the deployment’s Stripe endpoint secret, not a practice’s: only Stripe can send it. An ' +
        'event names one of our payment requests by id and reaches only that request’s workflow; one naming ' +
        'no request of ours is logged by its event id and changes nothing else',
      check: stripeTenancy,
    },
  },
  'POST /v1/webhooks/email/resend': {
    access: { kind: 'svix' },
    body: () => resendEvent(randomUUID()),
    tenancy: {
      kind: 'none',
      reason:
        'signed with the deployment’s Resend endpoint secret, not a practice’s: only Resend can send it. An ' +
        'event names one of our emails by the provider’s id; one naming no email of ours changes nothing',
      check: svixTenancy,
    },
  },
  'GET /v1/onboardings/{onboardingId}': {
    access: staff(ANY_STAFF),
    params: onboarding,
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.onboardingId, world.chartId] },
  },
  'GET /v1/onboardings/{onboardingId}/payments': {
    access: staff(ANSWER_READERS),
    params: onboarding,
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.onboardingId, world.chartId] },
  },
  'POST /v1/onboardings/{onboardingId}/invitation/resend': {
    access: staff(INVITERS),
    params: onboarding,
    tenancy: IDS,
  },
  'POST /v1/onboardings/{onboardingId}/portal-access/revoke': {
    access: staff(INVITERS),
    params: onboarding,
    tenancy: IDS,
  },
  'POST /v1/onboardings/{onboardingId}/portal-access/restore': {
    access: staff(INVITERS),
    params: onboarding,
    tenancy: IDS,
  },
  'POST /v1/onboardings/{onboardingId}/portal-owner': {
    access: staff(INVITERS),
    params: onboarding,
    body: () => ({ name: 'Mallory Guardian', email: `mallory-${randomUUID().slice(0, 8)}@example.test` }),
    tenancy: IDS,
  },
  'POST /v1/onboardings/{onboardingId}/cancel': { access: staff(INVITERS), params: onboarding, tenancy: IDS },
  'GET /v1/onboardings/{onboardingId}/portal-users': {
    access: staff(ANSWER_READERS),
    params: onboarding,
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.portal.a1.user.portalAccountId] },
  },
  'POST /v1/onboardings/{onboardingId}/portal-users': {
    access: staff(INVITERS),
    params: onboarding,
    body: () => ({
      name: 'Mallory Parent',
      email: `mallory-${randomUUID().slice(0, 8)}@example.test`,
      relationship: 'PARENT',
      permissions: ['BASIC'],
    }),
    tenancy: IDS,
  },
  // The primary user (their person keeps the portal account's id): removing them is refused, so A's client keeps it.
  'PATCH /v1/onboardings/{onboardingId}/portal-users/{portalUserId}': {
    access: staff(INVITERS),
    params: (world) => ({ onboardingId: world.onboardingId, portalUserId: world.portal.a1.user.portalAccountId }),
    body: () => ({ permissions: ['BASIC', 'FORMS', 'BILLING', 'MESSAGES', 'APPOINTMENTS'] }),
    tenancy: IDS,
  },
  'DELETE /v1/onboardings/{onboardingId}/portal-users/{portalUserId}': {
    access: staff(INVITERS),
    params: (world) => ({ onboardingId: world.onboardingId, portalUserId: world.portal.a1.user.portalAccountId }),
    tenancy: IDS,
  },
  // A contact's own invitation; on the primary user (the client's invitation) practice A gets a 409 with the reason.
  'POST /v1/onboardings/{onboardingId}/portal-users/{portalUserId}/invitation/resend': {
    access: staff(INVITERS),
    params: (world) => ({ onboardingId: world.onboardingId, portalUserId: world.portal.a1.user.portalAccountId }),
    tenancy: IDS,
  },
  'POST /v1/onboardings/{onboardingId}/portal-users/{portalUserId}/invitation/revoke': {
    access: staff(INVITERS),
    params: (world) => ({ onboardingId: world.onboardingId, portalUserId: world.portal.a1.user.portalAccountId }),
    tenancy: IDS,
  },
  'GET /v1/onboardings/{onboardingId}/forms': {
    access: staff(ANY_STAFF),
    params: onboarding,
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.assignmentId] },
  },
  'POST /v1/onboardings/{onboardingId}/form-requests': {
    access: staff(INVITERS),
    params: onboarding,
    body: () => ({ formKeys: ['phq-9'] }),
    tenancy: IDS,
  },
  'GET /v1/onboardings/{onboardingId}/documents/{assignmentId}': {
    access: staff(ANSWER_READERS),
    params: document,
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.signer, world.assignmentId] },
  },
  'GET /v1/onboardings/{onboardingId}/documents/{assignmentId}/pdf': {
    access: staff(ANSWER_READERS),
    params: document,
    tenancy: IDS,
    control: { status: 200, shows: () => ['%PDF-'], binary: true },
  },
  'GET /v1/forms': {
    access: staff(ANY_STAFF),
    tenancy: { kind: 'own', reason: 'lists the caller’s own catalogue', check: formListTenancy },
  },
  'POST /v1/forms': {
    access: staff(ADMINS),
    body: (world) => ({ key: world.form.key, title: 'Practice B’s own form', definition: formDefinition }),
    tenancy: {
      kind: 'own',
      reason: 'publishes into the caller’s catalogue: the same key in B is B’s own form',
      check: publishFormTenancy,
    },
  },
  'GET /v1/forms/{key}': {
    access: staff(ANY_STAFF),
    params: () => ({ key: 'phq-9' }),
    tenancy: { kind: 'own', reason: 'form keys are per practice: both seeds have phq-9', check: formByKeyTenancy },
  },
  'GET /v1/forms/{key}/versions/{version}': {
    access: staff(ANY_STAFF),
    params: () => ({ key: 'phq-9', version: '1' }),
    tenancy: { kind: 'own', reason: 'form keys are per practice: both seeds have phq-9', check: formByKeyTenancy },
  },
  'GET /v1/form-packages': {
    access: staff(ANY_STAFF),
    tenancy: { kind: 'own', reason: 'lists the caller’s own packages', check: packageListTenancy },
  },
  'PUT /v1/form-packages/{key}': {
    access: staff(ADMINS),
    params: (world) => ({ key: world.formPackage.key }),
    body: () => ({ name: 'Practice B’s own package', forms: ['phq-9'] }),
    tenancy: {
      kind: 'own',
      reason: 'package keys are per practice: the same key in B is B’s own package',
      check: putPackageTenancy,
    },
  },
  'GET /v1/clients/{clientId}/audit': {
    access: staff(ADMINS),
    params: (world) => ({ clientId: world.clientId }),
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.clientId] },
  },
  'GET /v1/practice/settings': {
    access: staff(ADMINS),
    tenancy: {
      kind: 'own',
      reason: 'the caller’s own practice: there is no id to name another',
      check: settingsTenancy,
    },
  },
  'PATCH /v1/practice/settings': {
    access: staff(ADMINS),
    body: () => ({ brandColor: '#123456' }),
    tenancy: {
      kind: 'own',
      reason: 'changes the caller’s own practice: B’s admin changes B, never A',
      check: settingsTenancy,
    },
  },
  'GET /v1/integrations/{integrationId}/callbacks': {
    access: staff(ADMINS),
    params: (world) => ({ integrationId: world.a.integrationId }),
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.a.integrationId] },
  },
  'GET /v1/integrations': {
    access: staff(ADMINS),
    tenancy: { kind: 'own', reason: 'lists the caller’s own practice’s integrations', check: integrationListTenancy },
  },
  'POST /v1/integrations': {
    access: staff(ADMINS),
    body: () => ({ name: 'Practice B’s EHR', vendor: 'Acme EHR' }),
    tenancy: {
      kind: 'own',
      reason: 'creates an integration in the caller’s own practice: B’s admin creates B’s, never A’s',
      check: createIntegrationTenancy,
    },
  },
  'GET /v1/integrations/{integrationId}': {
    access: staff(ADMINS),
    params: (world) => ({ integrationId: world.a.integrationId }),
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.a.integrationId] },
  },
  'PATCH /v1/integrations/{integrationId}': {
    access: staff(ADMINS),
    params: (world) => ({ integrationId: world.a.integrationId }),
    body: () => ({ callbackEvents: ['onboarding.registered'] }),
    tenancy: IDS,
  },
  'POST /v1/integrations/{integrationId}/rotate-secret': {
    access: staff(ADMINS),
    params: (world) => ({ integrationId: world.a.integrationId }),
    body: () => ({ previousValidUntil: new Date(Date.now() + 60 * 60 * 1000).toISOString() }),
    tenancy: IDS,
  },
  'POST /v1/integrations/{integrationId}/ping': {
    access: staff(ADMINS),
    params: (world) => ({ integrationId: world.a.integrationId }),
    tenancy: IDS,
  },
  'GET /v1/integrations/{integrationId}/deliveries': {
    access: staff(ADMINS),
    params: (world) => ({ integrationId: world.a.integrationId }),
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.a.integrationId] },
  },
  'POST /v1/integrations/{integrationId}/callbacks/{callbackId}/redeliver': {
    access: staff(ADMINS),
    params: (world) => ({ integrationId: world.a.integrationId, callbackId: randomUUID() }),
    tenancy: IDS,
  },
  'GET /v1/api-keys': {
    access: staff(ADMINS),
    tenancy: { kind: 'own', reason: 'lists the caller’s own practice’s keys', check: apiKeyListTenancy },
  },
  'POST /v1/api-keys': {
    access: staff(ADMINS),
    body: () => ({ name: 'Route access key', scope: 'read' }),
    tenancy: {
      kind: 'own',
      reason: 'makes a key in the caller’s own practice, for one of its own staff: B’s admin cannot make one for A’s',
      check: createApiKeyTenancy,
    },
  },
  // A's revoked key: revoking it again changes nothing, so A's admin may be sent here as often as the test likes.
  'POST /v1/api-keys/{apiKeyId}/revoke': {
    access: staff(ADMINS),
    params: (world) => ({ apiKeyId: world.revokedKeyId }),
    tenancy: IDS,
  },
  'GET /v1/staff': {
    access: staff(ADMINS),
    tenancy: { kind: 'own', reason: 'lists the caller’s own practice’s staff', check: staffListTenancy },
  },
  'GET /v1/staff/{staffUserId}': {
    access: staff(ADMINS),
    params: (world) => ({ staffUserId: world.spareStaffId }),
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.spareStaffId] },
  },
  'PATCH /v1/staff/{staffUserId}': {
    access: staff(ADMINS),
    params: (world) => ({ staffUserId: world.spareStaffId }),
    body: () => ({ canInvite: true }),
    tenancy: IDS,
  },
  'POST /v1/staff/{staffUserId}/deactivate': {
    access: staff(ADMINS),
    params: (world) => ({ staffUserId: world.spareStaffId }),
    tenancy: IDS,
  },
  'GET /v1/staff/invitations': {
    access: staff(ADMINS),
    tenancy: {
      kind: 'own',
      reason: 'lists the caller’s own practice’s invitations',
      check: staffInvitationListTenancy,
    },
  },
  // A fresh address per call, so each allowed call is an invitation, not a duplicate's 409.
  'POST /v1/staff/invitations': {
    access: staff(ADMINS),
    body: () => ({
      email: `invitee-${randomBytes(4).toString('hex')}@example.test`,
      displayName: 'Invitee',
      role: 'OPS',
    }),
    tenancy: {
      kind: 'own',
      reason: 'invites into the caller’s own practice: B’s admin cannot invite into A',
      check: staffInvitationListTenancy,
    },
  },
  'POST /v1/staff/invitations/{invitationId}/resend': {
    access: staff(ADMINS),
    params: (world) => ({ invitationId: world.staffInvitationId }),
    tenancy: IDS,
  },
  'POST /v1/staff/invitations/{invitationId}/revoke': {
    access: staff(ADMINS),
    params: (world) => ({ invitationId: world.staffInvitationId }),
    tenancy: IDS,
  },
  'POST /v1/staff/{staffUserId}/reassign-clients': {
    access: staff(ADMINS),
    params: (world) => ({ staffUserId: world.spareStaffId }),
    body: (world) => ({ toStaffUserId: world.assignedTherapist.id }),
    tenancy: IDS,
  },
  'GET /v1/ops/onboardings': {
    access: staff(OPERATORS),
    query: 'state=failed',
    tenancy: { kind: 'own', reason: 'lists the caller’s own practice', check: opsListTenancy },
    badQueries: () => [
      // Cursors that pass the schema's pattern but are not ones the API gave out.
      `cursor=${b64url(JSON.stringify(['2020-01-01T00:00:00.000Z', '-'.repeat(36)]))}`,
      `cursor=${b64url(JSON.stringify(['-271821-04-20T00:00:00.000Z', randomUUID()]))}`,
      `cursor=${b64url(JSON.stringify({ updatedAt: '2020-01-01T00:00:00.000Z' }))}`,
      `cursor=${b64url('not json')}`,
    ],
  },
  'GET /v1/ops/onboardings/{onboardingId}': {
    access: staff(OPERATORS),
    params: onboarding,
    tenancy: IDS,
    control: { status: 200, shows: (world) => [world.workflowId] },
  },
  'POST /v1/ops/onboardings/{onboardingId}/cancel': { access: staff(OPERATORS), params: onboarding, tenancy: IDS },
  'POST /v1/ops/onboardings/{onboardingId}/terminate': {
    access: staff(OPERATORS),
    params: onboarding,
    body: () => ({ reason: REASON }),
    tenancy: IDS,
  },
  'POST /v1/ops/onboardings/{onboardingId}/reset': {
    access: staff(OPERATORS),
    params: onboarding,
    body: () => ({ to: 'first-workflow-task', reason: REASON }),
    tenancy: IDS,
  },
  'POST /v1/ops/onboardings/{onboardingId}/retry': { access: staff(OPERATORS), params: onboarding, tenancy: IDS },
  'POST /v1/ops/bulk': {
    access: staff(OPERATORS),
    body: () => ({ action: 'cancel', query: { state: 'failed' }, dryRun: true }),
    tenancy: { kind: 'own', reason: 'matches within the caller’s own practice', check: opsBulkTenancy },
  },
  'POST /codec/decode': {
    access: staff(OPERATORS),
    body: () => CODEC_BODY,
    tenancy: {
      kind: 'none',
      reason:
        'payloads are sealed with the deployment’s payload key, not a practice’s: there is no id of A’s to ' +
        'substitute. So only the operators of the deployment (CODEC_OPERATOR_ORGANIZATIONS, here practice A ' +
        'plays them) may use it: practice B’s staff, admins and ops included, are refused and audited',
      check: codecTenancy('decode'),
    },
  },
  'POST /codec/encode': {
    access: staff(OPERATORS),
    body: () => CODEC_BODY,
    tenancy: {
      kind: 'none',
      reason: 'encrypts what the caller sends, for the deployment’s operators only',
      check: codecTenancy('encode'),
    },
  },
  'GET /healthz': {
    access: { kind: 'public', reason: 'liveness probe for the load balancer; says "ok" and nothing else', status: 200 },
    tenancy: { kind: 'none', reason: 'no data', check: publicTenancy('/healthz') },
  },
  'GET /readyz': {
    access: {
      kind: 'public',
      reason: 'readiness probe for the load balancer; says whether the database and Temporal answer',
      status: 200,
    },
    tenancy: { kind: 'none', reason: 'no data', check: publicTenancy('/readyz') },
  },
  'GET /metrics': {
    access: {
      kind: 'public',
      reason:
        'Prometheus scrape: with METRICS_TOKEN a bearer token (test/integration/metrics.test.ts), without it loopback clients only',
      status: 200,
    },
    tenancy: { kind: 'none', reason: 'counters and histograms, no PHI', check: metricsTenancy },
  },
};

/** Public routes the OpenAPI document does not list as operations. */
const PUBLIC_OUTSIDE_DOCUMENT = [{ path: '/openapi.json', reason: 'the API description itself; no data' }];

// ---------------------------------------------------------------------------
// The stack and practice A's data
// ---------------------------------------------------------------------------

let service: TestService;
let world: World;
let formDefinition: unknown;
let workflowBefore: { runId: string; status: string; historyLength: number };
const logger = createLogger({ level: 'silent' });
/** How long the fixtures' flows may take on a loaded CI machine (they take a few seconds on a quiet one). */
const SLOW_MACHINE_MS = 60_000;
const PASSWORD = 'ember quarry violet sixty';

/** Practice A also plays the deployment's operators: its ops and admin may use the codec, nobody of B's. */
const slugOfA = testOrganizationSlug();

beforeAll(async () => {
  service = await startTestService({
    codecOperatorOrganizations: [slugOfA],
    // Webhooks are verified without calling Stripe: nothing here reaches this address.
    emailEvents: true,
    payments: createStripeProvider({
      secretKey: 'sk_test_route_access',
      webhookSecret: STRIPE_WEBHOOK_SECRET,
      apiBaseUrl: 'http://127.0.0.1:9',
    }),
  });
  await service.startWorker();
  const { db } = service.database;
  const [a, b] = await Promise.all([createTestOrganization(db, { slug: slugOfA }), createTestOrganization(db)]);
  const suffix = randomBytes(4).toString('hex');
  const assignedTherapist = await db.staffUser.create({
    data: {
      organizationId: a.organizationId,
      email: `clinician-${suffix}@practice.test`,
      displayName: `Clinician ${suffix}`,
      role: 'THERAPIST',
      canInvite: true,
    },
  });
  const spare = await db.staffUser.create({
    data: {
      organizationId: a.organizationId,
      email: `spare-${suffix}@practice.test`,
      displayName: `Spare ${suffix}`,
      role: 'THERAPIST',
    },
  });
  const assignedTherapistKey = randomToken();
  await db.staffApiKey.create({
    data: {
      organizationId: a.organizationId,
      staffUserId: assignedTherapist.id,
      name: 'assigned clinician',
      keyHash: hashToken(assignedTherapistKey),
    },
  });

  const [a1, a2, b1] = await Promise.all([
    registeredClient(a, { dateOfBirth: '1979-03-14', clinicianEmail: assignedTherapist.email }),
    registeredClient(a),
    registeredClient(b),
  ]);
  const signer = `Signer${suffix} Quill`;
  await signAllForms(db, service.env.client, a1.client.user, signer);
  await eventually(
    async () =>
      (await db.onboarding.findUniqueOrThrow({ where: { id: a1.client.onboardingId } })).status === 'COMPLETE'
        ? true
        : undefined,
    { what: 'practice A’s onboarding to complete', timeoutMs: SLOW_MACHINE_MS },
  );
  const a1Onboarding = await db.onboarding.findUniqueOrThrow({ where: { id: a1.client.onboardingId } });
  const signed = await db.formAssignment.findFirstOrThrow({
    where: { onboardingId: a1.client.onboardingId, status: 'SUBMITTED' },
  });
  const answers = await db.formSubmission.findMany({
    where: { assignment: { onboardingId: a1.client.onboardingId } },
    select: { answers: true },
  });

  // A form and a package of A's own, published through the API as an admin would.
  const asA = { authorization: `Bearer ${a.keys.admin}` };
  const phq9 = (await (await service.get('/v1/forms/phq-9', asA)).json()) as { definition: unknown };
  formDefinition = phq9.definition;
  const formTitle = `A-only form ${suffix}`;
  const published = await fetchJson<{ id: string; key: string }>('POST', '/v1/forms', a.keys.admin, {
    key: `a-only-${suffix}`,
    title: formTitle,
    definition: formDefinition,
  });
  const packageName = `A-only package ${suffix}`;
  const savedPackage = await fetchJson<{ id: string; key: string }>(
    'PUT',
    `/v1/form-packages/a-package-${suffix}`,
    a.keys.admin,
    { name: packageName, forms: [published.key, 'phq-9'] },
  );

  // A failed flow, for what A's ops list and bulk actions match and B's must not.
  const failed = await newOnboarding(db, a.organizationId);
  await db.onboarding.update({ where: { id: failed.input.onboardingId }, data: { status: 'FAILED' } });

  const revokedKey = randomToken();
  const { id: revokedKeyId } = await db.staffApiKey.create({
    data: {
      organizationId: a.organizationId,
      staffUserId: a.adminId,
      name: 'revoked',
      keyHash: hashToken(revokedKey),
      revokedAt: new Date(),
    },
  });

  const { id: staffInvitationId } = await db.staffInvitation.create({
    data: {
      organizationId: a.organizationId,
      email: `revoked-invitee-${suffix}@example.test`,
      displayName: 'Revoked invitee',
      role: 'OPS',
      tokenHash: hashToken(randomToken()),
      status: 'REVOKED',
      expiresAt: new Date(Date.now() + 60_000),
      invitedById: a.adminId,
    },
  });

  const { client } = a1.event.data;
  world = {
    a,
    b,
    assignedTherapist: { id: assignedTherapist.id, key: assignedTherapistKey },
    onboardingId: a1.client.onboardingId,
    workflowId: a1Onboarding.workflowId,
    clientId: a1Onboarding.clientId!,
    assignmentId: signed.id,
    failedOnboardingId: failed.input.onboardingId,
    form: { key: published.key, id: published.id, title: formTitle },
    formPackage: { key: savedPackage.key, id: savedPackage.id, name: packageName },
    revokedKey,
    revokedKeyId,
    staffInvitationId,
    spareStaffId: spare.id,
    chartId: a1.event.data.externalChartId,
    signer,
    markers: [
      client.firstName,
      client.lastName,
      client.email!,
      client.dateOfBirth,
      a1.event.data.externalChartId,
      signer,
      ...answers.flatMap((row) => longStrings(row.answers)),
      formTitle,
      packageName,
      // Ids are no PHI, but an answer to B has no business naming any of A's.
      a.organizationId,
      a.integrationId,
      revokedKeyId,
      staffInvitationId,
      spare.id,
      a1.client.onboardingId,
      a1Onboarding.workflowId,
      a1Onboarding.clientId!,
      signed.id,
      failed.input.onboardingId,
      published.id,
      savedPackage.id,
    ],
    portal: { a1: a1.client, a2: a2.client, b1: b1.client },
  };
  expect(world.markers.length).toBeGreaterThan(15);
  await settled();
  workflowBefore = await workflowOfA();
}, 4 * SLOW_MACHINE_MS);

afterAll(async () => {
  await service?.stop();
});

/** A client who registered through the invitation email, with the default package's forms waiting. */
async function registeredClient(
  org: TestOrganization,
  { clinicianEmail, ...overrides }: { dateOfBirth?: string; clinicianEmail?: string } = {},
) {
  const { db } = service.database;
  const base = chartCreatedWebhook({ formPackageKey: org.formPackageKey, ...overrides });
  const event = { ...base, data: { ...base.data, ...(clinicianEmail ? { clinicianEmail } : {}) } };
  const email = event.data.client.email!;
  const accepted = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, event);
  expect(accepted.status).toBe(202);
  const { onboardingId } = (await accepted.json()) as { onboardingId: string };
  const token = await eventually(() => latestRegistrationToken(service.outboxDir, email).catch(() => undefined), {
    what: 'the invitation email',
    timeoutMs: SLOW_MACHINE_MS,
  });
  const registered = await registerPortalAccount({ db, temporal: service.env.client, logger }, token, {
    lastName: event.data.client.lastName,
    dateOfBirth: event.data.client.dateOfBirth,
    password: PASSWORD,
    passwordConfirmation: PASSWORD,
  });
  expect(registered.outcome).toBe('registered');
  const assignment = await eventually(
    () => db.formAssignment.findFirst({ where: { onboardingId, position: 0 } }).then((row) => row ?? undefined),
    { what: 'the package’s forms', timeoutMs: SLOW_MACHINE_MS },
  );
  // Not for FORMS_OUTSTANDING: when the package's forms open while the client registers, the status projection
  // can stay at REGISTERED (a race between the two transactions). settled() waits for the flows instead.
  const session = (await signIn(db, org.organizationId, email, PASSWORD))!;
  const user = (await currentUser(db, session))!;
  return { event, client: { onboardingId, session, assignmentId: assignment.id, user } satisfies Client };
}

/** The strings of a client's answers long enough to be recognisable anywhere. */
function longStrings(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 12 ? [value] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(longStrings);
  return [];
}

async function workflowOfA() {
  const description = await service.env.client.workflow.getHandle(world.workflowId).describe();
  return { runId: description.runId, status: description.status.name, historyLength: description.historyLength };
}

// ---------------------------------------------------------------------------
// Calls, leaks and writes
// ---------------------------------------------------------------------------

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

function b64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

async function fetchJson<T>(method: string, path: string, key: string, body?: unknown): Promise<T> {
  const response = await fetch(`${service.api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

interface CallOptions {
  params?: Record<string, string>;
  /** A staff API key, sent as a bearer token. */
  key?: string;
  /** An Authorization header as is. */
  authorization?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is. */
  raw?: { text: string; contentType: string };
  query?: string;
  /** A webhook secret to sign the body with (Standard Webhooks). */
  signWith?: string;
  signOptions?: { timestamp?: number };
  /** A Stripe endpoint secret to sign the body with (Stripe-Signature). */
  stripeSecret?: string;
  stripeTimestamp?: number;
  /** Sign the body as Resend's webhook (Svix) with this secret. */
  svixSecret?: string;
  svixTimestamp?: Date;
}

interface Answer {
  status: number;
  text: string;
  code: string | null;
  message: string | null;
  wwwAuthenticate: string | null;
}

/** Calls an operation; path parameter values go into the path as they are (already URL-encoded). */
async function call(operation: Operation, options: CallOptions = {}): Promise<Answer> {
  const path = operation.path.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = options.params?.[name];
    if (value === undefined) throw new Error(`${operation.label}: no value for {${name}}`);
    return value;
  });
  const text = options.raw ? options.raw.text : options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (text !== undefined) headers['content-type'] = options.raw?.contentType ?? 'application/json';
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  if (options.signWith) Object.assign(headers, signedWebhookHeaders(options.signWith, text ?? '', options.signOptions));
  if (options.stripeSecret) {
    headers['stripe-signature'] = Stripe.webhooks.generateTestHeaderString({
      payload: text ?? '',
      secret: options.stripeSecret,
      ...(options.stripeTimestamp === undefined ? {} : { timestamp: options.stripeTimestamp }),
    });
  }
  if (options.svixSecret) {
    Object.assign(
      headers,
      await signDeliveryEvent(options.svixSecret, text ?? '', {
        id: `msg_${randomBytes(12).toString('hex')}`,
        ...(options.svixTimestamp ? { timestamp: options.svixTimestamp } : {}),
      }),
    );
  }
  const response = await fetch(`${service.api.url}${path}${options.query ? `?${options.query}` : ''}`, {
    method: operation.method,
    headers,
    redirect: 'manual',
    ...(text === undefined ? {} : { body: text }),
  });
  const body = await response.text();
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
  } catch {
    error = undefined;
  }
  return {
    status: response.status,
    text: body,
    code: typeof error?.code === 'string' ? error.code : null,
    message: typeof error?.message === 'string' ? error.message : null,
    wwwAuthenticate: response.headers.get('www-authenticate'),
  };
}

function json<T>(answer: Answer): T {
  return JSON.parse(answer.text) as T;
}

/** Which of practice A's markers a text gives away. */
function leaks(text: string): string[] {
  return world.markers.filter((marker) => text.includes(marker));
}

/**
 * A digest of every row of every table but those named (the audit trail by
 * default: refusals are audited, and that is the one write they may make).
 * Tables added later are included without anyone listing them.
 */
/**
 * Columns every authenticated call may change: when a key was last used is
 * the caller's own key's bookkeeping (http/staff-auth.ts), not anyone's data.
 */
const BOOKKEEPING_COLUMNS: Record<string, string[]> = { staff_api_key: ['last_used_at'] };

async function fingerprint(except: readonly string[] = ['audit_event']): Promise<Record<string, string>> {
  const { db } = service.database;
  const tables = await db.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`;
  const digests = await Promise.all(
    tables
      .filter(({ name }) => !except.includes(name))
      .map(async ({ name }) => {
        const ignored = BOOKKEEPING_COLUMNS[name] ?? [];
        const text = ignored.length
          ? `(to_jsonb(t) - ${ignored.map((column) => `'${column}'`).join(' - ')})::text`
          : 't::text';
        const [row] = await db.$queryRawUnsafe<{ rows: bigint; digest: string | null }[]>(
          `SELECT count(*) AS rows, md5(string_agg(${text}, '|' ORDER BY ${text})) AS digest FROM "${name}" t`,
        );
        return [name, `${String(row?.rows)} rows ${row?.digest ?? ''}`] as const;
      }),
  );
  return Object.fromEntries(digests);
}

/**
 * Waits until the flows have stopped writing: every running workflow idle
 * (no activity or workflow task pending: only timers and signals left) and
 * the database unchanged for a second.
 */
async function settled(): Promise<void> {
  const deadline = Date.now() + SLOW_MACHINE_MS;
  let last = '';
  let stable = 0;
  while (stable < 5) {
    if (Date.now() > deadline) throw new Error(`the flows did not settle in ${SLOW_MACHINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = (await flowsIdle()) ? JSON.stringify(await fingerprint()) : 'busy';
    stable = next !== 'busy' && next === last ? stable + 1 : 0;
    last = next;
  }
}

async function flowsIdle(): Promise<boolean> {
  const { client } = service.env;
  for await (const execution of client.workflow.list({ query: 'ExecutionStatus = "Running"' })) {
    const { raw } = await client.workflow.getHandle(execution.workflowId, execution.runId).describe();
    if ((raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask) return false;
  }
  return true;
}

async function auditCount(organizationId: string, action: string): Promise<number> {
  return service.database.db.auditEvent.count({ where: { organizationId, action } });
}

function operation(label: string): Operation {
  return OPERATIONS.find((candidate) => candidate.label === label)!;
}

function fixtureOf(operation: Operation): RouteFixture {
  const fixture = ROUTES[operation.label];
  if (!fixture) {
    throw new Error(
      `add a fixture for ${operation.label} to ROUTES in test/integration/route-access.test.ts (auth, tenancy, params)`,
    );
  }
  return fixture;
}

/** Values for the path parameters that are well-formed but name nothing. */
function unknownParams(operation: Operation): Record<string, string> {
  return Object.fromEntries(
    operation.pathParams.map(({ name, schema }) => [
      name,
      schema.format === 'uuid' ? randomUUID() : schema.type === 'integer' ? '99999' : `no-such-${randomUUID()}`,
    ]),
  );
}

/** Malformed values for a path parameter: not-a-uuid is a fine form key, so keys get a malformed key instead. */
function malformed(schema: JsonSchema): string[] {
  const wrongShape =
    schema.format === 'uuid'
      ? ['not-a-uuid']
      : schema.type === 'integer'
        ? ['one', '0', '-1', '1.5', '1e309']
        : ['Not_A_Key!'];
  return [...wrongShape, '%00', 'x'.repeat(300), '%E0%A4%A', '..%2F..%2Fetc%2Fpasswd', "1'%20OR%20'1'='1"];
}
const MALFORMED_QUERY_VALUES = ['%00', 'x'.repeat(300), '-1', '%E0%A4%A'];

/** A body with every documented property of the wrong type. */
function wrongTypes(schema: JsonSchema): Record<string, unknown> {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return { unexpected: { nested: [true] } };
  return Object.fromEntries(
    properties.map(([name, property]) => [name, property.type === 'object' ? 'not an object' : { nested: [true] }]),
  );
}

function badBodies(schema: JsonSchema, valid: unknown): { what: string; options: CallOptions; statuses: number[] }[] {
  const raw = (text: string, contentType = 'application/json') => ({ raw: { text, contentType } });
  return [
    { what: 'an empty object', options: { body: {} }, statuses: [400] },
    { what: 'an empty array', options: { body: [] }, statuses: [400] },
    { what: 'the valid body in an array', options: { body: [valid] }, statuses: [400] },
    { what: 'every property of the wrong type', options: { body: wrongTypes(schema) }, statuses: [400] },
    { what: 'JSON null', options: raw('null'), statuses: [400] },
    { what: 'a JSON string', options: raw('"text"'), statuses: [400] },
    { what: 'a JSON number', options: raw('42'), statuses: [400] },
    { what: 'truncated JSON', options: raw('{"type":'), statuses: [400] },
    { what: 'the valid body as text/plain', options: raw(JSON.stringify(valid), 'text/plain'), statuses: [400, 415] },
    { what: 'a form post', options: raw('a=1&b=2', 'application/x-www-form-urlencoded'), statuses: [400, 415] },
  ];
}

// ---------------------------------------------------------------------------
// 0. The table covers the document
// ---------------------------------------------------------------------------

describe('the fixture table', () => {
  it('has an entry for every operation of the OpenAPI document, and none for operations it lacks', () => {
    expect(OPERATIONS.length).toBeGreaterThanOrEqual(30);
    const missing = OPERATIONS.filter((candidate) => !ROUTES[candidate.label]).map(
      (candidate) => `add a fixture for ${candidate.label}`,
    );
    expect(missing).toEqual([]);
    expect(Object.keys(ROUTES).filter((label) => !LABELS.includes(label))).toEqual([]);
  });

  it('says an operation needs a staff key exactly when the document declares `security`', () => {
    const mismatched = OPERATIONS.filter(
      (candidate) => (ROUTES[candidate.label]?.access.kind === 'staff') !== candidate.secured,
    ).map((candidate) => candidate.label);
    expect(mismatched).toEqual([]);
  });

  it('gives a value for every path parameter and a body for every request body', () => {
    const incomplete = OPERATIONS.filter((candidate) => {
      const fixture = ROUTES[candidate.label];
      if (!fixture) return false;
      const params = candidate.pathParams.length ? (fixture.params?.(world) ?? {}) : {};
      return (
        candidate.pathParams.some(({ name }) => params[name] === undefined) ||
        (candidate.bodySchema !== null) !== (fixture.body !== undefined)
      );
    }).map((candidate) => candidate.label);
    expect(incomplete).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// 1. Auth
// ---------------------------------------------------------------------------

describe('1. auth: no key, no entry', () => {
  it.each(LABELS)('%s', async (label) => {
    const op = operation(label);
    const fixture = fixtureOf(op);
    const params = fixture.params?.(world) ?? {};
    const body = fixture.body?.(world);
    const query = fixture.query;
    const before = await fingerprint();
    switch (fixture.access.kind) {
      case 'staff': {
        const attempts: [string, CallOptions][] = [
          ['no Authorization header', { params, body, query }],
          ['an unknown key', { params, body, query, key: randomToken() }],
          ['a revoked key of A’s admin', { params, body, query, key: world.revokedKey }],
          ['Basic credentials', { params, body, query, authorization: `Basic ${b64('admin:admin')}` }],
          ['an empty bearer token', { params, body, query, authorization: 'Bearer ' }],
          ['a key too short to be one', { params, body, query, authorization: 'Bearer abc' }],
          // Before validation and before any lookup: malformed or unknown ids and a bad body make no difference.
          ['no key, malformed ids and body', { params: mapValues(params, 'not-a-uuid'), body: body && [] }],
          ['a revoked key and unknown ids', { params: unknownParams(op), body, key: world.revokedKey }],
        ];
        for (const [attempt, options] of attempts) {
          const answer = await call(op, options);
          expect({ attempt, status: answer.status, code: answer.code, www: answer.wwwAuthenticate }).toEqual({
            attempt,
            status: 401,
            code: 'UNAUTHENTICATED',
            www: 'Bearer',
          });
          expect(leaks(answer.text)).toEqual([]);
        }
        break;
      }
      case 'signature': {
        const secret = world.a.webhookSecret;
        const fresh = Math.floor(Date.now() / 1000);
        const attempts: [string, CallOptions][] = [
          ['no signature', { params, body }],
          ['signed with another secret', { params, body, signWith: newWebhookSecret() }],
          ['a stale timestamp', { params, body, signWith: secret, signOptions: { timestamp: fresh - 3600 } }],
          ['a timestamp from the future', { params, body, signWith: secret, signOptions: { timestamp: fresh + 3600 } }],
          ['A’s admin API key instead of a signature', { params, body, key: world.a.keys.admin }],
          ['no signature and a bad body', { params, body: [] }],
          ['an integration that does not exist', { params: unknownParams(op), body, signWith: secret }],
        ];
        for (const [attempt, options] of attempts) {
          const answer = await call(op, options);
          expect({ attempt, status: answer.status, code: answer.code }).toEqual({
            attempt,
            status: 401,
            code: 'UNAUTHENTICATED',
          });
        }
        break;
      }
      case 'stripe': {
        const fresh = Math.floor(Date.now() / 1000);
        const attempts: [string, CallOptions][] = [
          ['no Stripe-Signature', { body }],
          ['signed with another secret', { body, stripeSecret: `whsec_${randomBytes(16).toString('hex')}` }],
          ['a stale timestamp', { body, stripeSecret: STRIPE_WEBHOOK_SECRET, stripeTimestamp: fresh - 3600 }],
          ['A’s admin API key instead of a signature', { body, key: world.a.keys.admin }],
          ['an EHR’s Standard Webhooks signature', { body, signWith: world.a.webhookSecret }],
          ['no signature and a bad body', { body: [] }],
        ];
        for (const [attempt, options] of attempts) {
          const answer = await call(op, options);
          expect({ attempt, status: answer.status, code: answer.code }).toEqual({
            attempt,
            status: 401,
            code: 'UNAUTHENTICATED',
          });
        }
        break;
      }
      case 'svix': {
        const attempts: [string, CallOptions][] = [
          ['no svix headers', { body }],
          ['signed with another secret', { body, svixSecret: `whsec_${randomBytes(32).toString('base64')}` }],
          [
            'a stale timestamp',
            { body, svixSecret: service.emailEventsSecret, svixTimestamp: new Date(Date.now() - 3600_000) },
          ],
          ['A’s admin API key instead of a signature', { body, key: world.a.keys.admin }],
          ['an EHR’s Standard Webhooks signature', { body, signWith: world.a.webhookSecret }],
          ['Stripe’s signature', { body, stripeSecret: STRIPE_WEBHOOK_SECRET }],
          ['no signature and a bad body', { body: [] }],
        ];
        for (const [attempt, options] of attempts) {
          const answer = await call(op, options);
          expect({ attempt, status: answer.status, code: answer.code }).toEqual({
            attempt,
            status: 401,
            code: 'UNAUTHENTICATED',
          });
        }
        break;
      }
      case 'public': {
        const answer = await call(op, { params, query });
        expect(answer.status).toBe(fixture.access.status);
        expect(leaks(answer.text)).toEqual([]);
        break;
      }
    }
    expect(await fingerprint()).toEqual(before);
  });

  it.each(PUBLIC_OUTSIDE_DOCUMENT)('$path is public: $reason', async ({ path }) => {
    const response = await service.get(path);
    expect(response.status).toBe(200);
    expect(leaks(await response.text())).toEqual([]);
  });
});

function mapValues(record: Record<string, string>, value: string): Record<string, string> {
  return Object.fromEntries(Object.keys(record).map((key) => [key, value]));
}

// ---------------------------------------------------------------------------
// 2. Cross-tenant
// ---------------------------------------------------------------------------

describe('2. cross-tenant: practice B never reads or acts on practice A’s data', () => {
  it.each(LABELS)('%s', async (label) => {
    const op = operation(label);
    const fixture = fixtureOf(op);
    const { tenancy, access } = fixture;
    if (tenancy.kind !== 'ids') {
      await tenancy.check(world);
      return;
    }
    if (access.kind !== 'staff') throw new Error(`${label}: routes keyed by A's ids need a staff key`);
    const params = fixture.params!(world);
    const body = fixture.body?.(world);
    const query = fixture.query;

    if (fixture.control) {
      const own = await call(op, { params, body, query, key: world.a.keys.admin });
      expect(own.status).toBe(fixture.control.status);
      for (const shown of fixture.control.shows(world)) expect(own.text).toContain(shown);
      if (!fixture.control.binary) expect(leaks(own.text).length).toBeGreaterThan(0);
    }

    const before = await fingerprint();
    for (const role of ROLES) {
      const expected = access.roles.includes(role)
        ? { status: 404, code: 'NOT_FOUND' }
        : { status: 403, code: 'FORBIDDEN' };
      const theirs = await call(op, { params, body, query, key: world.b.keys[role] });
      expect({ role, status: theirs.status, code: theirs.code, leaked: leaks(theirs.text) }).toEqual({
        role,
        ...expected,
        leaked: [],
      });
      // Exactly the answer to ids that exist nowhere: no way to learn that A's do.
      const unknown = await call(op, { params: unknownParams(op), body, query, key: world.b.keys[role] });
      expect({ role, status: unknown.status, code: unknown.code, message: unknown.message }).toEqual({
        role,
        status: theirs.status,
        code: theirs.code,
        message: theirs.message,
      });
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('left practice A’s workflow exactly as it was', async () => {
    expect(await workflowOfA()).toEqual(workflowBefore);
  });
});

// ---------------------------------------------------------------------------
// 2b. Within the practice: a therapist reaches only the clients assigned to them
// ---------------------------------------------------------------------------

/** Every route that names a client's onboarding (or the client) by id. */
const CLIENT_SCOPED = LABELS.filter((label) => ROUTES[label]?.tenancy.kind === 'ids');
/** Practice A's therapists who are not the clinician of A's client. */
const NOT_ASSIGNED = ['permittedTherapist', 'therapist'] as const;

describe('2b. a therapist reaches only the clients assigned to them, in their own practice too', () => {
  it('covers every route keyed by a client’s ids', () => {
    expect(CLIENT_SCOPED).toEqual(
      expect.arrayContaining([
        'GET /v1/onboardings/{onboardingId}',
        'POST /v1/onboardings/{onboardingId}/invitation/resend',
        'POST /v1/onboardings/{onboardingId}/portal-access/revoke',
        'POST /v1/onboardings/{onboardingId}/portal-access/restore',
        'POST /v1/onboardings/{onboardingId}/portal-owner',
        'POST /v1/onboardings/{onboardingId}/cancel',
        'GET /v1/onboardings/{onboardingId}/forms',
        'POST /v1/onboardings/{onboardingId}/form-requests',
        'GET /v1/onboardings/{onboardingId}/documents/{assignmentId}',
        'GET /v1/onboardings/{onboardingId}/documents/{assignmentId}/pdf',
        'GET /v1/clients/{clientId}/audit',
      ]),
    );
  });

  it.each(CLIENT_SCOPED)('%s', async (label) => {
    const op = operation(label);
    const fixture = fixtureOf(op);
    const { access } = fixture;
    if (access.kind !== 'staff') throw new Error(`${label}: routes keyed by A's ids need a staff key`);
    const params = fixture.params!(world);
    const body = fixture.body?.(world);
    const query = fixture.query;

    // The client's own clinician reads what their role allows: the refusals below are about whose client it is.
    if (fixture.control) {
      const own = await call(op, { params, body, query, key: world.assignedTherapist.key });
      if (access.roles.includes('permittedTherapist')) {
        expect({ status: own.status }).toEqual({ status: fixture.control.status });
        for (const shown of fixture.control.shows(world)) expect(own.text).toContain(shown);
      } else {
        expect(own.status).toBe(403);
      }
    }

    const before = await fingerprint();
    for (const role of NOT_ASSIGNED) {
      const key = world.a.keys[role];
      const staffUserId = await staffIdOf(key);
      const refusalsBefore = await notAssignedRefusals(staffUserId);
      const expected = access.roles.includes(role)
        ? { status: 404, code: 'NOT_FOUND' }
        : { status: 403, code: 'FORBIDDEN' };
      const theirs = await call(op, { params, body, query, key });
      expect({ role, status: theirs.status, code: theirs.code, leaked: leaks(theirs.text) }).toEqual({
        role,
        ...expected,
        leaked: [],
      });
      // Exactly the answer to ids that exist nowhere: a therapist cannot tell a colleague's client from no one.
      const unknown = await call(op, { params: unknownParams(op), body, query, key });
      expect({ role, status: unknown.status, code: unknown.code, message: unknown.message }).toEqual({
        role,
        status: theirs.status,
        code: theirs.code,
        message: theirs.message,
      });
      // The refusal is on the client's trail, marked as outside the therapist's clients, for A's admins to see.
      const refusals = await notAssignedRefusals(staffUserId);
      expect({ role, refusals: refusals.length - refusalsBefore.length }).toEqual({
        role,
        refusals: expected.status === 404 ? 1 : 0,
      });
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('left practice A’s workflow exactly as it was', async () => {
    expect(await workflowOfA()).toEqual(workflowBefore);
  });
});

async function staffIdOf(key: string): Promise<string> {
  const row = await service.database.db.staffApiKey.findUniqueOrThrow({
    where: { keyHash: hashToken(key) },
    select: { staffUserId: true },
  });
  return row.staffUserId;
}

/** The audit entries of a staff member refused A's client because it is not theirs. */
async function notAssignedRefusals(staffUserId: string) {
  const events = await service.database.db.auditEvent.findMany({
    where: { actorId: staffUserId, outcome: 'denied', onboardingId: world.onboardingId, clientId: world.clientId },
    select: { id: true, detail: true },
  });
  return events.filter((event) => (event.detail as { scope?: unknown }).scope === 'not_assigned');
}

/**
 * Stripe's webhook, correctly signed: an event about a request that is not
 * ours, or not an id at all, is taken (so Stripe stops retrying), logged by
 * its event id, and changes nothing else; a redelivery changes nothing at all.
 */
async function stripeTenancy(): Promise<void> {
  const op = operation('POST /v1/webhooks/payments/stripe');
  const before = await fingerprint(['audit_event', 'payment_provider_event']);
  for (const paymentRequestId of [randomUUID(), 'not-a-request-id', `${randomUUID()}' OR 1=1 --`]) {
    const event = stripeEvent(paymentRequestId);
    const first = await call(op, { body: event, stripeSecret: STRIPE_WEBHOOK_SECRET });
    expect({ paymentRequestId, status: first.status, body: json(first) }).toEqual({
      paymentRequestId,
      status: 200,
      body: { received: true, duplicate: false },
    });
    const again = await call(op, { body: event, stripeSecret: STRIPE_WEBHOOK_SECRET });
    expect(json(again)).toEqual({ received: true, duplicate: true });
  }
  expect(await fingerprint(['audit_event', 'payment_provider_event'])).toEqual(before);
}

/** A Resend delivery event about the email with provider id `emailId`. */
function resendEvent(emailId: string) {
  const at = new Date().toISOString();
  return { type: 'email.bounced', created_at: at, data: { email_id: emailId, bounce: { type: 'Permanent' } } };
}

/**
 * Resend's webhook, correctly signed: an event naming an email that is not
 * ours, or not an id at all, is taken (so Svix stops retrying) and changes
 * nothing; a redelivery changes nothing either.
 */
async function svixTenancy(): Promise<void> {
  const op = operation('POST /v1/webhooks/email/resend');
  const before = await fingerprint();
  for (const emailId of [randomUUID(), 'not-an-email-id', `${randomUUID()}' OR 1=1 --`]) {
    const answer = await call(op, { body: resendEvent(emailId), svixSecret: service.emailEventsSecret });
    expect({ emailId, status: answer.status, body: json(answer) }).toEqual({
      emailId,
      status: 200,
      body: { received: true, matched: false, duplicate: false },
    });
  }
  expect(await fingerprint()).toEqual(before);
}

async function webhookTenancy(world: World): Promise<void> {
  const op = operation('POST /v1/webhooks/ehr/{integrationId}');
  const before = await fingerprint();
  const body = chartCreatedWebhook({ invite: false });
  // B's EHR cannot start onboardings in practice A, nor A's EHR in practice B.
  const attempts: [string, CallOptions][] = [
    [
      'B’s secret on A’s integration',
      { params: { integrationId: world.a.integrationId }, body, signWith: world.b.webhookSecret },
    ],
    [
      'A’s secret on B’s integration',
      { params: { integrationId: world.b.integrationId }, body, signWith: world.a.webhookSecret },
    ],
    [
      'B’s admin key on A’s integration',
      { params: { integrationId: world.a.integrationId }, body, key: world.b.keys.admin },
    ],
  ];
  for (const [attempt, options] of attempts) {
    const answer = await call(op, options);
    expect({ attempt, status: answer.status, code: answer.code }).toEqual({
      attempt,
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(leaks(answer.text)).toEqual([]);
  }
  expect(await fingerprint()).toEqual(before);
}

/** Practice A's forms and packages, as A's admin sees them. */
async function catalogueOfA() {
  const forms = await fetchJson<{ forms: { id: string; key: string; version: number; title: string }[] }>(
    'GET',
    '/v1/forms',
    world.a.keys.admin,
  );
  const packages = await fetchJson<{
    packages: { id: string; key: string; name: string; forms: { formDefinitionId: string }[] }[];
  }>('GET', '/v1/form-packages', world.a.keys.admin);
  return { forms: forms.forms, packages: packages.packages };
}

async function formListTenancy(world: World): Promise<void> {
  const op = operation('GET /v1/forms');
  const ofA = await catalogueOfA();
  expect(ofA.forms.map((form) => form.id)).toContain(world.form.id);
  for (const role of ROLES) {
    const theirs = await call(op, { key: world.b.keys[role] });
    expect(theirs.status).toBe(200);
    const { forms } = json<{ forms: { id: string }[] }>(theirs);
    expect(forms.length).toBeGreaterThan(0);
    expect(forms.filter((form) => ofA.forms.some((own) => own.id === form.id))).toEqual([]);
    expect(leaks(theirs.text)).toEqual([]);
  }
}

/** B's staff read and change B's settings only: A's row is the same before and after, and none of A's values shows. */
async function settingsTenancy(world: World): Promise<void> {
  const { db } = service.database;
  const rowOfA = () => db.organization.findUniqueOrThrow({ where: { id: world.a.organizationId } });
  const before = await rowOfA();
  const read = await call(operation('GET /v1/practice/settings'), { key: world.b.keys.admin });
  expect(json<{ organizationId: string }>(read).organizationId).toBe(world.b.organizationId);
  expect(leaks(read.text)).toEqual([]);
  const changed = await call(operation('PATCH /v1/practice/settings'), {
    key: world.b.keys.admin,
    body: { invitationIntroText: 'Practice B’s own words' },
  });
  expect(changed.status).toBe(200);
  expect(json<{ organizationId: string }>(changed).organizationId).toBe(world.b.organizationId);
  for (const role of ROLES.filter((candidate) => candidate !== 'admin')) {
    const refused = await call(operation('PATCH /v1/practice/settings'), {
      key: world.b.keys[role],
      body: { brandColor: '#654321' },
    });
    expect({ role, status: refused.status }).toEqual({ role, status: 403 });
  }
  expect(await rowOfA()).toEqual(before);
}

/** B's admin lists B's integrations only; B's other staff are refused. */
async function integrationListTenancy(world: World): Promise<void> {
  const op = operation('GET /v1/integrations');
  const own = await call(op, { key: world.a.keys.admin });
  expect(own.text).toContain(world.a.integrationId);
  const theirs = await call(op, { key: world.b.keys.admin });
  expect(theirs.status).toBe(200);
  const ids = json<{ integrations: { id: string }[] }>(theirs).integrations.map((row) => row.id);
  expect(ids).toContain(world.b.integrationId);
  expect(ids).not.toContain(world.a.integrationId);
  expect(leaks(theirs.text)).toEqual([]);
  for (const role of ROLES.filter((candidate) => candidate !== 'admin')) {
    expect({ role, status: (await call(op, { key: world.b.keys[role] })).status }).toEqual({ role, status: 403 });
  }
}

/** B's admin sees only B's invitations, and an invitation B makes is B's. */
async function staffInvitationListTenancy(world: World): Promise<void> {
  const list = operation('GET /v1/staff/invitations');
  const own = await call(list, { key: world.a.keys.admin });
  expect(own.text).toContain(world.staffInvitationId);
  const created = await call(operation('POST /v1/staff/invitations'), {
    key: world.b.keys.admin,
    body: { email: `b-invitee-${randomBytes(4).toString('hex')}@example.test`, displayName: 'B invitee', role: 'OPS' },
  });
  expect(created.status).toBe(201);
  const row = await service.database.db.staffInvitation.findUniqueOrThrow({
    where: { id: json<{ id: string }>(created).id },
  });
  expect(row.organizationId).toBe(world.b.organizationId);
  const theirs = await call(list, { key: world.b.keys.admin });
  expect(theirs.status).toBe(200);
  expect(leaks(theirs.text)).toEqual([]);
  // B's invitation emails its link from a workflow: let it land before the next route counts rows.
  await settled();
}

async function staffListTenancy(world: World): Promise<void> {
  const op = operation('GET /v1/staff');
  const own = await call(op, { key: world.a.keys.admin });
  expect(own.text).toContain(world.spareStaffId);
  const theirs = await call(op, { key: world.b.keys.admin });
  expect(theirs.status).toBe(200);
  const ids = json<{ staff: { id: string }[] }>(theirs).staff.map((row) => row.id);
  expect(ids).toContain(world.b.adminId);
  expect(ids).not.toContain(world.spareStaffId);
  expect(leaks(theirs.text)).toEqual([]);
  for (const role of ROLES.filter((candidate) => candidate !== 'admin')) {
    expect({ role, status: (await call(op, { key: world.b.keys[role] })).status }).toEqual({ role, status: 403 });
  }
}

async function apiKeyListTenancy(world: World): Promise<void> {
  const op = operation('GET /v1/api-keys');
  const own = await call(op, { key: world.a.keys.admin });
  expect(own.text).toContain(world.revokedKeyId);
  const theirs = await call(op, { key: world.b.keys.admin });
  expect(theirs.status).toBe(200);
  const holders = json<{ apiKeys: { staffUser: { id: string } }[] }>(theirs).apiKeys.map((row) => row.staffUser.id);
  expect(holders).toContain(world.b.adminId);
  expect(holders).not.toContain(world.a.adminId);
  expect(leaks(theirs.text)).toEqual([]);
  for (const role of ROLES.filter((candidate) => candidate !== 'admin')) {
    expect({ role, status: (await call(op, { key: world.b.keys[role] })).status }).toEqual({ role, status: 403 });
  }
}

/** A key B's admin makes is B's; naming A's admin as its holder is refused; A's keys are untouched. */
async function createApiKeyTenancy(world: World): Promise<void> {
  const { db } = service.database;
  const ofA = () =>
    db.staffApiKey.findMany({ where: { organizationId: world.a.organizationId }, orderBy: { id: 'asc' } });
  const before = await ofA();
  const op = operation('POST /v1/api-keys');
  const body = { name: 'Practice B’s key', scope: 'read' };
  for (const role of ROLES.filter((candidate) => candidate !== 'admin')) {
    expect({ role, status: (await call(op, { key: world.b.keys[role], body })).status }).toEqual({ role, status: 403 });
  }
  const forA = await call(op, { key: world.b.keys.admin, body: { ...body, staffUserId: world.a.adminId } });
  expect(forA.status).toBe(400);
  const created = await call(op, { key: world.b.keys.admin, body });
  expect(created.status).toBe(201);
  const { apiKey } = json<{ apiKey: { id: string } }>(created);
  const row = await db.staffApiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
  expect(row.organizationId).toBe(world.b.organizationId);
  expect(leaks(created.text)).toEqual([]);
  expect(await ofA()).toEqual(before);
}

/** An integration B's admin creates is B's; A's integrations are untouched. */
async function createIntegrationTenancy(world: World): Promise<void> {
  const { db } = service.database;
  const ofA = () =>
    db.ehrIntegration.findMany({ where: { organizationId: world.a.organizationId }, orderBy: { id: 'asc' } });
  const before = await ofA();
  const op = operation('POST /v1/integrations');
  const body = { name: 'Practice B’s EHR', vendor: 'Acme EHR' };
  for (const role of ROLES.filter((candidate) => candidate !== 'admin')) {
    expect({ role, status: (await call(op, { key: world.b.keys[role], body })).status }).toEqual({ role, status: 403 });
  }
  const created = await call(op, { key: world.b.keys.admin, body });
  expect(created.status).toBe(201);
  const { integration } = json<{ integration: { id: string } }>(created);
  const row = await db.ehrIntegration.findUniqueOrThrow({ where: { id: integration.id } });
  expect(row.organizationId).toBe(world.b.organizationId);
  expect(leaks(created.text)).toEqual([]);
  expect(await ofA()).toEqual(before);
}

async function packageListTenancy(world: World): Promise<void> {
  const op = operation('GET /v1/form-packages');
  const ofA = await catalogueOfA();
  expect(ofA.packages.map((pkg) => pkg.id)).toContain(world.formPackage.id);
  for (const role of ROLES) {
    const theirs = await call(op, { key: world.b.keys[role] });
    expect(theirs.status).toBe(200);
    const { packages } = json<{ packages: { id: string; forms: { formDefinitionId: string }[] }[] }>(theirs);
    expect(packages.length).toBeGreaterThan(0);
    const aIds = new Set([...ofA.forms.map((form) => form.id), ...ofA.packages.map((pkg) => pkg.id)]);
    const shared = packages
      .flatMap((pkg) => [pkg.id, ...pkg.forms.map((form) => form.formDefinitionId)])
      .filter((id) => aIds.has(id));
    expect(shared).toEqual([]);
    expect(leaks(theirs.text)).toEqual([]);
  }
}

/** B asking for a form by a key both practices use gets B's own form (or 404 where B has none), never A's. */
async function formByKeyTenancy(world: World): Promise<void> {
  const { db } = service.database;
  const ofA = await catalogueOfA();
  for (const key of ['phq-9', world.form.key]) {
    for (const label of ['GET /v1/forms/{key}', 'GET /v1/forms/{key}/versions/{version}']) {
      const op = operation(label);
      const params = { key, version: '1' };
      const own = await call(op, { params, key: world.a.keys.admin });
      expect(own.status).toBe(200);
      const mine = await db.formDefinition.findFirst({
        where: { organizationId: world.b.organizationId, key, version: 1 },
        select: { id: true },
      });
      for (const role of ROLES) {
        const theirs = await call(op, { params, key: world.b.keys[role] });
        expect({ label, key, role, status: theirs.status }).toEqual({ label, key, role, status: mine ? 200 : 404 });
        if (mine) expect(json<{ id: string }>(theirs).id).toBe(mine.id);
        expect(ofA.forms.some((form) => theirs.text.includes(form.id))).toBe(false);
        expect(leaks(theirs.text)).toEqual([]);
      }
    }
  }
}

/** B publishing under A's form key publishes B's own version 1; A's form stays as it was. */
async function publishFormTenancy(world: World): Promise<void> {
  const op = operation('POST /v1/forms');
  const before = await catalogueOfA();
  const body = { key: world.form.key, title: 'Practice B’s own form', definition: formDefinition };
  for (const role of ['therapist', 'permittedTherapist', 'ops'] as const) {
    expect((await call(op, { body, key: world.b.keys[role] })).status).toBe(403);
  }
  const theirs = await call(op, { body, key: world.b.keys.admin });
  expect([200, 201]).toContain(theirs.status);
  const published = json<{ id: string; key: string; version: number }>(theirs);
  expect(published).toMatchObject({ key: world.form.key, version: 1 });
  expect(published.id).not.toBe(world.form.id);
  expect(leaks(theirs.text)).toEqual([]);
  expect(await catalogueOfA()).toEqual(before);
}

/** B saving a package under A's package key saves B's own; A's package keeps its name and forms. */
async function putPackageTenancy(world: World): Promise<void> {
  const op = operation('PUT /v1/form-packages/{key}');
  const before = await catalogueOfA();
  const params = { key: world.formPackage.key };
  const body = { name: 'Practice B’s own package', forms: ['phq-9'] };
  for (const role of ['therapist', 'permittedTherapist', 'ops'] as const) {
    expect((await call(op, { params, body, key: world.b.keys[role] })).status).toBe(403);
  }
  const theirs = await call(op, { params, body, key: world.b.keys.admin });
  expect(theirs.status).toBe(200);
  const saved = json<{ id: string; key: string; forms: { formDefinitionId: string }[] }>(theirs);
  expect(saved.key).toBe(world.formPackage.key);
  expect(saved.id).not.toBe(world.formPackage.id);
  expect(saved.forms.filter((form) => before.forms.some((own) => own.id === form.formDefinitionId))).toEqual([]);
  expect(leaks(theirs.text)).toEqual([]);
  expect(await catalogueOfA()).toEqual(before);
}

async function opsListTenancy(world: World): Promise<void> {
  const op = operation('GET /v1/ops/onboardings');
  const ids = (answer: Answer) => json<{ items: { id: string }[] }>(answer).items.map((item) => item.id);
  for (const query of ['state=failed', 'state=running', 'state=stuck&olderThanMinutes=0']) {
    const own = await call(op, { query, key: world.a.keys.ops });
    expect(own.status).toBe(200);
    if (query === 'state=failed') expect(ids(own)).toContain(world.failedOnboardingId);
    for (const role of OPERATORS) {
      const theirs = await call(op, { query, key: world.b.keys[role] });
      expect({ query, role, status: theirs.status }).toEqual({ query, role, status: 200 });
      expect(ids(theirs).filter((id) => id === world.failedOnboardingId || id === world.onboardingId)).toEqual([]);
      expect(theirs.text).not.toContain(world.workflowId);
      expect(leaks(theirs.text)).toEqual([]);
    }
    for (const role of ['therapist', 'permittedTherapist'] as const) {
      expect((await call(op, { query, key: world.b.keys[role] })).status).toBe(403);
    }
  }
}

async function opsBulkTenancy(world: World): Promise<void> {
  const op = operation('POST /v1/ops/bulk');
  const dryRun = { action: 'cancel', query: { state: 'failed' }, dryRun: true };
  const own = await call(op, { body: dryRun, key: world.a.keys.ops });
  expect(own.status).toBe(200);
  expect(json<{ matched: string[] }>(own).matched).toContain(world.failedOnboardingId);

  const before = await fingerprint();
  for (const role of OPERATORS) {
    // For real, not a dry run: had A's failed flow been in reach, it would be cancelled now.
    for (const body of [dryRun, { ...dryRun, dryRun: false }]) {
      const theirs = await call(op, { body, key: world.b.keys[role] });
      expect({ role, status: theirs.status }).toEqual({ role, status: 200 });
      const result = json<{ matched: string[]; done: string[]; failed: { onboardingId: string }[] }>(theirs);
      expect([...result.matched, ...result.done, ...result.failed.map((entry) => entry.onboardingId)]).not.toContain(
        world.failedOnboardingId,
      );
      expect(leaks(theirs.text)).toEqual([]);
    }
  }
  for (const role of ['therapist', 'permittedTherapist'] as const) {
    expect((await call(op, { body: dryRun, key: world.b.keys[role] })).status).toBe(403);
  }
  expect(await fingerprint()).toEqual(before);
}

/**
 * The codec names no practice's data: only the deployment's operators (A here) may use it. B's staff, every
 * role, are refused with nothing of the payload in the answer; every call is audited to the caller's practice.
 */
function codecTenancy(direction: 'decode' | 'encode') {
  return async (world: World): Promise<void> => {
    const op = operation(`POST /codec/${direction}`);
    const action = `temporal.${direction}`;
    const [ofA, ofB] = [
      await auditCount(world.a.organizationId, action),
      await auditCount(world.b.organizationId, action),
    ];
    for (const role of ROLES) {
      const own = await call(op, { body: CODEC_BODY, key: world.a.keys[role] });
      expect({ role, status: own.status }).toEqual({ role, status: OPERATORS.includes(role) ? 200 : 403 });
      const theirs = await call(op, { body: CODEC_BODY, key: world.b.keys[role] });
      expect({ role, status: theirs.status, code: theirs.code }).toEqual({ role, status: 403, code: 'FORBIDDEN' });
      expect(theirs.text).not.toContain(CODEC_BODY.payloads[0]!.data);
      expect(leaks(theirs.text)).toEqual([]);
    }
    expect(await auditCount(world.a.organizationId, action)).toBe(ofA + ROLES.length);
    expect(await auditCount(world.b.organizationId, action)).toBe(ofB + ROLES.length);
  };
}

function publicTenancy(path: string) {
  return async (world: World): Promise<void> => {
    for (const key of [undefined, world.b.keys.admin]) {
      const response = await service.get(path, key ? { authorization: `Bearer ${key}` } : {});
      expect(response.status).toBe(200);
      expect(leaks(await response.text())).toEqual([]);
    }
  };
}

async function metricsTenancy(world: World): Promise<void> {
  await publicTenancy('/metrics')(world);
  // Loopback only: a client behind the (loopback) proxy is not on this host.
  const remote = await service.get('/metrics', { 'x-forwarded-for': '203.0.113.9' });
  expect(remote.status).toBe(404);
  expect(await remote.text()).not.toContain('http_request');
}

// ---------------------------------------------------------------------------
// 3. Bad input
// ---------------------------------------------------------------------------

const WITH_INPUT = OPERATIONS.filter(
  (candidate) =>
    candidate.pathParams.length > 0 ||
    candidate.queryParams.length > 0 ||
    candidate.bodySchema !== null ||
    ROUTES[candidate.label]?.badQueries,
).map((candidate) => candidate.label);

describe('3. bad input: a 4xx, never a 500, and nothing written', () => {
  it('covers every operation that takes input; the others take none', () => {
    expect(WITH_INPUT.length).toBeGreaterThan(20);
    expect(LABELS.filter((label) => !WITH_INPUT.includes(label))).toEqual([
      'GET /v1/forms',
      'GET /v1/form-packages',
      'GET /v1/practice/settings',
      'GET /v1/integrations',
      'GET /v1/api-keys',
      'GET /v1/staff',
      'GET /v1/staff/invitations',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ]);
  });

  it.each(WITH_INPUT)('%s', async (label) => {
    const op = operation(label);
    const fixture = fixtureOf(op);
    // The owner of the data, so that only the input is wrong.
    const who: CallOptions =
      fixture.access.kind === 'signature'
        ? { signWith: world.a.webhookSecret }
        : fixture.access.kind === 'stripe'
          ? { stripeSecret: STRIPE_WEBHOOK_SECRET }
          : fixture.access.kind === 'svix'
            ? { svixSecret: service.emailEventsSecret }
            : { key: world.a.keys.admin };
    const params = fixture.params?.(world) ?? {};
    const body = fixture.body?.(world);
    const before = await fingerprint();
    const wrong: string[] = [];
    const expectStatus = (what: string, answer: Answer, statuses: number[]) => {
      if (!statuses.includes(answer.status)) wrong.push(`${what}: ${answer.status} ${answer.text.slice(0, 200)}`);
    };

    for (const { name, schema } of op.pathParams) {
      for (const bad of malformed(schema)) {
        const answer = await call(op, { ...who, params: { ...params, [name]: bad }, body, query: fixture.query });
        expectStatus(`{${name}} = ${bad.slice(0, 40)}`, answer, [400, 404]);
      }
    }
    const queries = [
      ...op.queryParams.flatMap((name) => [
        ...MALFORMED_QUERY_VALUES.map((bad) => `${name}=${bad}`),
        `${name}=1&${name}=2`,
      ]),
      ...(fixture.badQueries?.() ?? []),
    ];
    for (const query of queries) {
      const answer = await call(op, { ...who, params, body, query });
      expectStatus(`?${query.slice(0, 60)}`, answer, [400]);
    }
    if (op.bodySchema) {
      for (const { what, options, statuses } of badBodies(op.bodySchema, body)) {
        const answer = await call(op, { ...who, params, query: fixture.query, ...options });
        expectStatus(what, answer, statuses);
        expect(leaks(answer.text)).toEqual([]);
      }
    }
    expect(wrong).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------
// 4. The HTML pages (not in the OpenAPI document)
// ---------------------------------------------------------------------------

/** Sessions record when they were last used: that is their one write on a read. */
const SESSION_TABLES = ['audit_event', 'staff_session', 'portal_session'];

describe('4. HTML pages', () => {
  it('another practice’s staff session opens none of practice A’s client pages', async () => {
    const { db } = service.database;
    const [emailA, emailB] = [await setStaffPassword(db, world.a.adminId), await setStaffPassword(db, world.b.adminId)];
    const ownStaff = new StaffPages(service.api.url);
    expect((await ownStaff.signIn(world.a.slug, emailA)).status).toBe(303);
    const control = await ownStaff.get(`/staff/${world.a.slug}/onboardings/${world.onboardingId}`);
    expect(control.response.status).toBe(200);
    expect(leaks(control.html)).toEqual(expect.arrayContaining([world.markers[1]!]));

    const stranger = new StaffPages(service.api.url);
    expect((await stranger.signIn(world.b.slug, emailB)).status).toBe(303);
    const before = await fingerprint(SESSION_TABLES);
    const onboardingPath = (slug: string, id: string) => `/staff/${slug}/onboardings/${id}`;
    const pages = (slug: string, id: string, assignmentId: string) => [
      onboardingPath(slug, id),
      `${onboardingPath(slug, id)}/documents/${assignmentId}`,
      `${onboardingPath(slug, id)}/documents/${assignmentId}/pdf`,
      `${onboardingPath(slug, id)}/resend`,
      `${onboardingPath(slug, id)}/cancel`,
      `${onboardingPath(slug, id)}/forms`,
    ];

    // On practice A's pages, B's session is no session at all.
    for (const path of [`/staff/${world.a.slug}`, ...pages(world.a.slug, world.onboardingId, world.assignmentId)]) {
      const { response, html } = await stranger.get(path);
      expect({ path, status: response.status, location: response.headers.get('location') }).toEqual({
        path,
        status: 303,
        location: `/staff/${world.a.slug}/login`,
      });
      expect(leaks(html)).toEqual([]);
    }
    // On B's own pages, A's ids are unknown, exactly like ids that exist nowhere.
    const ofA = pages(world.b.slug, world.onboardingId, world.assignmentId);
    const unknown = pages(world.b.slug, randomUUID(), randomUUID());
    for (const [index, path] of ofA.entries()) {
      const theirs = await stranger.get(path);
      const nowhere = await stranger.get(unknown[index]!);
      expect({ path, status: theirs.response.status }).toEqual({ path, status: 404 });
      expect(nowhere.response.status).toBe(404);
      expect(leaks(theirs.html)).toEqual([]);
    }
    // A confirmed action, with a valid CSRF field of B's session, on A's onboarding: refused, nothing done.
    for (const action of ['cancel', 'resend', 'revoke']) {
      const posted = await stranger.post(
        `${onboardingPath(world.b.slug, world.onboardingId)}/${action}`,
        { confirm: 'yes' },
        `/staff/${world.b.slug}`,
      );
      expect({ action, status: posted.response.status }).toEqual({ action, status: 404 });
      const onA = await stranger.post(
        `${onboardingPath(world.a.slug, world.onboardingId)}/${action}`,
        { confirm: 'yes' },
        `/staff/${world.b.slug}`,
      );
      expect({ action, status: onA.response.status }).toEqual({ action, status: 303 });
    }
    // A's EHR integration, from B's admin pages: unknown, like one that exists nowhere; nothing changes.
    const integrationOfA = `/staff/${world.b.slug}/integrations/${world.a.integrationId}`;
    expect((await stranger.get(integrationOfA)).response.status).toBe(404);
    expect((await stranger.get(`/staff/${world.b.slug}/integrations/${randomUUID()}`)).response.status).toBe(404);
    for (const [action, fields] of [
      ['disable', { confirm: 'yes' }],
      ['rotate', { confirm: 'yes', overlap: '24' }],
      ['ping', {}],
      ['callbacks', { callbackUrl: 'https://ehr.example/callbacks' }],
    ] as const) {
      const posted = await stranger.post(`${integrationOfA}/${action}`, fields, `/staff/${world.b.slug}`);
      expect({ action, status: posted.response.status }).toEqual({ action, status: 404 });
      expect(leaks(posted.html)).toEqual([]);
    }
    expect(await fingerprint(SESSION_TABLES)).toEqual(before);
    expect(await workflowOfA()).toEqual(workflowBefore);
  });

  it('a therapist’s session opens none of a colleague’s client pages, like ids that exist nowhere', async () => {
    const { db } = service.database;
    const permittedId = await staffIdOf(world.a.keys.permittedTherapist);
    const [clinicianEmail, therapistEmail] = [
      await setStaffPassword(db, world.assignedTherapist.id),
      await setStaffPassword(db, permittedId),
    ];
    const clientPath = `/staff/${world.a.slug}/onboardings/${world.onboardingId}`;
    const pages = (id: string, assignmentId: string) => [
      `/staff/${world.a.slug}/onboardings/${id}`,
      `/staff/${world.a.slug}/onboardings/${id}/documents/${assignmentId}`,
      `/staff/${world.a.slug}/onboardings/${id}/documents/${assignmentId}/pdf`,
      `/staff/${world.a.slug}/onboardings/${id}/resend`,
      `/staff/${world.a.slug}/onboardings/${id}/forms`,
      `/staff/${world.a.slug}/onboardings/${id}/cancel`,
    ];

    // The client's own clinician opens the page, with the client's name on it.
    const clinician = new StaffPages(service.api.url);
    expect((await clinician.signIn(world.a.slug, clinicianEmail)).status).toBe(303);
    const own = await clinician.get(clientPath);
    expect(own.response.status).toBe(200);
    expect(leaks(own.html)).toEqual(expect.arrayContaining([world.markers[1]!]));

    // A colleague with the same permissions: the list leaves the client out, every page is a 404.
    const colleague = new StaffPages(service.api.url);
    expect((await colleague.signIn(world.a.slug, therapistEmail)).status).toBe(303);
    const before = await fingerprint(SESSION_TABLES);
    const refusalsBefore = await notAssignedRefusals(permittedId);
    const list = await colleague.get(`/staff/${world.a.slug}`);
    expect(list.response.status).toBe(200);
    expect(leaks(list.html)).toEqual([]);
    // Filtering by the client's clinician, by hand in the URL (the form has no such field for therapists), shows nothing.
    const filtered = await colleague.get(`/staff/${world.a.slug}?clinician=${world.assignedTherapist.id}`);
    expect(filtered.response.status).toBe(200);
    expect(filtered.html).toContain('0 onboardings');
    expect(leaks(filtered.html)).toEqual([]);
    const unknown = pages(randomUUID(), randomUUID());
    for (const [index, path] of pages(world.onboardingId, world.assignmentId).entries()) {
      const theirs = await colleague.get(path);
      const nowhere = await colleague.get(unknown[index]!);
      expect({ path, status: theirs.response.status }).toEqual({ path, status: 404 });
      expect(nowhere.response.status).toBe(404);
      expect(leaks(theirs.html)).toEqual([]);
    }
    for (const action of ['cancel', 'resend', 'revoke']) {
      const posted = await colleague.post(`${clientPath}/${action}`, { confirm: 'yes' }, `/staff/${world.a.slug}`);
      expect({ action, status: posted.response.status }).toEqual({ action, status: 404 });
      expect(leaks(posted.html)).toEqual([]);
    }
    // Each refusal of a page of A's client is audited as outside this therapist's clients.
    expect((await notAssignedRefusals(permittedId)).length - refusalsBefore.length).toBe(9);
    expect(await fingerprint(SESSION_TABLES)).toEqual(before);
    expect(await workflowOfA()).toEqual(workflowBefore);
  });

  it('a portal session of one client opens none of another client’s documents', async () => {
    const { a1, a2, b1 } = world.portal;
    const { a, b } = world;
    const documentPath = (slug: string, assignmentId: string) => `/portal/${slug}/documents/${assignmentId}`;

    // The owner sees their signed form with its answers: the markers are there to find.
    const control = await portalGet(a1, documentPath(a.slug, world.assignmentId));
    expect(control.status).toBe(200);
    expect(leaks(control.html).length).toBeGreaterThan(0);

    const before = await fingerprint(SESSION_TABLES);
    // Another client of the same practice, and a client of another practice on their own practice's pages.
    for (const [who, client, slug] of [
      ['another client of practice A', a2, a.slug],
      ['a client of practice B', b1, b.slug],
    ] as const) {
      for (const path of [documentPath(slug, world.assignmentId), `${documentPath(slug, world.assignmentId)}/pdf`]) {
        const theirs = await portalGet(client, path);
        const nowhere = await portalGet(client, path.replace(world.assignmentId, randomUUID()));
        expect({ who, path, status: theirs.status }).toEqual({ who, path, status: 404 });
        // The same page as for a form that exists nowhere.
        expect({ who, path, html: theirs.html }).toEqual({ who, path, html: nowhere.html });
        expect(leaks(theirs.html)).toEqual([]);
      }
      const posted = await portalPost(client, slug, documentPath(slug, world.assignmentId), {
        _action: 'submit',
        signerName: 'Mallory',
        agree: 'yes',
      });
      expect({ who, status: posted.status }).toEqual({ who, status: 404 });
      const list = await portalGet(client, `/portal/${slug}/documents`);
      expect(list.status).toBe(200);
      expect(list.html).not.toContain(world.assignmentId);
      expect(leaks(list.html)).toEqual([]);
    }
    // On practice A's pages, B's client has no session.
    const onA = await portalGet(b1, documentPath(a.slug, world.assignmentId));
    expect({ status: onA.status, location: onA.location }).toEqual({
      status: 303,
      location: `/portal/${a.slug}/login`,
    });
    expect(leaks(onA.html)).toEqual([]);
    expect(await fingerprint(SESSION_TABLES)).toEqual(before);
  });
});

describe('4b. My Account pages', () => {
  it('a portal session of one client opens none of another client’s invoices, payments, receipts or cards', async () => {
    const { db } = service.database;
    const { a1, a2, b1 } = world.portal;
    const { a, b } = world;
    // Practice A takes payments; A's first client has an invoice, a payment with its receipt, and a card on file.
    await db.organization.updateMany({
      where: { id: { in: [a.organizationId, b.organizationId] } },
      data: { paymentsEnabled: true },
    });
    const clientId = world.clientId;
    const invoiceNumber = `INV-RA-${randomBytes(3).toString('hex')}`;
    const invoice = await db.invoice.create({
      data: {
        organizationId: a.organizationId,
        clientId,
        externalInvoiceId: invoiceNumber,
        issuedOn: new Date('2026-11-02T00:00:00Z'),
        totalCents: 15000,
        balanceCents: 0,
        status: 'PAID',
        document: {
          externalInvoiceId: invoiceNumber,
          issuedOn: '2026-11-02',
          currency: 'usd',
          status: 'PAID',
          balanceCents: 0,
          lines: [
            { serviceDate: '2026-11-02', description: 'Session', serviceCode: '90837', units: 1, amountCents: 15000 },
          ],
          superbill: { providerName: 'Dr. A', npi: '1234567893' },
        },
      },
    });
    const requestId = randomUUID();
    const receiptNumber = `R-${randomBytes(5).toString('hex').toUpperCase()}`;
    await db.paymentRequest.create({
      data: {
        id: requestId,
        organizationId: a.organizationId,
        clientId,
        portalAccountId: a1.user.portalAccountId,
        kind: 'BALANCE',
        status: 'SUCCEEDED',
        amountCents: 15000,
        submissionKey: randomBytes(24).toString('base64url'),
        workflowId: `payment-${requestId}`,
        payment: {
          create: {
            organizationId: a.organizationId,
            clientId,
            paymentIntentId: `pi_${randomBytes(8).toString('hex')}`,
            receiptNumber,
            amountCents: 15000,
            paidAt: new Date(),
            allocations: [{ invoiceId: invoice.id, externalInvoiceId: invoiceNumber, amountCents: 15000 }],
          },
        },
      },
    });
    const card = await db.paymentCard.create({
      data: {
        organizationId: a.organizationId,
        clientId,
        providerPaymentMethodId: `pm_${randomBytes(8).toString('hex')}`,
        brand: 'visa',
        last4: '4242',
        expMonth: 1,
        expYear: 2031,
        isDefault: true,
      },
    });
    const pages = (slug: string) => [
      `/portal/${slug}/account/invoices/${invoice.id}/invoice.pdf`,
      `/portal/${slug}/account/invoices/${invoice.id}/superbill.pdf`,
      `/portal/${slug}/account/payments/${requestId}`,
      `/portal/${slug}/account/payments/${requestId}/receipt.pdf`,
      `/portal/${slug}/account/payments/${requestId}/cancel`,
    ];
    // The owner opens each (so the ids are real), and sees the receipt number.
    for (const path of pages(a.slug).filter((page) => !page.endsWith('/cancel'))) {
      expect({ path, status: (await portalGet(a1, path)).status }).toEqual({ path, status: 200 });
    }
    expect((await portalGet(a1, `/portal/${a.slug}/account`)).html).toContain(receiptNumber);

    const before = await fingerprint(SESSION_TABLES);
    for (const [who, client, slug] of [
      ['another client of practice A', a2, a.slug],
      ['a client of practice B', b1, b.slug],
    ] as const) {
      for (const path of pages(slug)) {
        const theirs = await portalGet(client, path);
        const nowhere = await portalGet(
          client,
          path.replace(invoice.id, randomUUID()).replace(requestId, randomUUID()),
        );
        expect({ who, path, status: theirs.status }).toEqual({ who, path, status: 404 });
        expect({ who, path, html: theirs.html }).toEqual({ who, path, html: nowhere.html });
        expect(theirs.html).not.toContain(receiptNumber);
      }
      const account = await portalGet(client, `/portal/${slug}/account`);
      expect(account.status).toBe(200);
      expect(account.html).not.toContain(receiptNumber);
      expect(account.html).not.toContain(invoiceNumber);
      const cards = await portalGet(client, `/portal/${slug}/account/cards`);
      expect(cards.html).not.toContain(card.id);
      for (const action of ['remove', 'default']) {
        const posted = await portalPost(client, slug, `/portal/${slug}/account/cards/${card.id}/${action}`, {});
        expect({ who, action, status: posted.status }).toEqual({ who, action, status: 404 });
      }
    }
    expect(await fingerprint([...SESSION_TABLES])).toEqual(before);
    expect(await db.paymentCard.findUniqueOrThrow({ where: { id: card.id } })).toMatchObject({
      removedAt: null,
      isDefault: true,
    });
  });
});

/** A portal page with a client's session cookie (and any CSRF cookie given). */
async function portalGet(client: Client, path: string, cookies: string[] = []) {
  const response = await fetch(`${service.api.url}${path}`, {
    headers: { cookie: [`${SESSION_COOKIE}=${client.session}`, ...cookies].join('; ') },
    redirect: 'manual',
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    setCookies: response.headers.getSetCookie(),
    html: await response.text(),
  };
}

/** Posts a portal form with a valid CSRF token of this client's own session (from their own document page). */
async function portalPost(client: Client, slug: string, path: string, fields: Record<string, string>) {
  const own = await portalGet(client, `/portal/${slug}/documents/${client.assignmentId}`);
  expect(own.status).toBe(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(own.html)?.[1];
  expect(csrf).toBeTruthy();
  const response = await fetch(`${service.api.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: `${SESSION_COOKIE}=${client.session}`,
    },
    body: new URLSearchParams({ _csrf: csrf!, ...fields }),
    redirect: 'manual',
  });
  return { status: response.status, html: await response.text() };
}
