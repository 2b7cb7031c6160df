/**
 * The OpenAPI 3.1 description of the JSON API, generated from the same zod
 * schemas that validate requests and shape responses, so it cannot describe
 * an API we do not have. Served at GET /openapi.json.
 */
import { z } from 'zod';
import { ZClientAuditParams, ZClientAuditQuery, ZClientAuditResponse } from '../schemas/audit';
import {
  ZIntegrationCallbacksParams,
  ZIntegrationCallbacksQuery,
  ZIntegrationCallbacksResponse,
} from '../schemas/callbacks';
import { ZChartCreatedWebhook, ZWebhookAccepted } from '../schemas/chart-created-webhook';
import { ZInvoiceAccepted, ZInvoiceUpsertedWebhook } from '../schemas/invoice-webhook';
import { ZPracticeSettingsPatch, ZPracticeSettingsResponse } from '../schemas/practice-settings';
import { ZOnboardingPaymentsResponse } from '../schemas/onboarding-payments';
import { ZErrorResponse } from '../schemas/error-response';
import {
  ZFormListResponse,
  ZFormPackageListResponse,
  ZFormPackageResponse,
  ZFormResponse,
  ZOnboardingFormsResponse,
  ZPublishFormRequest,
  ZPutFormPackageRequest,
  ZSendFormsRequest,
  ZSendFormsResponse,
  ZSignedFormResponse,
} from '../schemas/forms';
import { ZChangePortalOwnerRequest, ZOnboardingResponse, ZStaffActionResponse } from '../schemas/onboarding';
import {
  ZOpsActionResponse,
  ZOpsBulkRequest,
  ZOpsBulkResponse,
  ZOpsListQuery,
  ZOpsListResponse,
  ZOpsOnboardingDescription,
  ZOpsResetRequest,
  ZOpsTerminateRequest,
} from '../schemas/ops';

type Schema = Record<string, unknown>;

function requestSchema(schema: z.ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

function responseSchema(schema: z.ZodType): Schema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
  return rest;
}

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: responseSchema(schema) } },
});
const error = (description: string) => json(ZErrorResponse, description);

const onboardingIdParam = {
  name: 'onboardingId',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
};

const staffAction = (summary: string, extra: Schema = {}) => ({
  post: {
    summary,
    tags: ['staff'],
    security: [{ staffApiKey: [] }],
    parameters: [onboardingIdParam],
    ...extra,
    responses: {
      200: json(ZStaffActionResponse, 'Where the onboarding now stands'),
      401: error('No valid staff API key'),
      403: error('Only admins and therapists with the invite permission (seed 003)'),
      404: error(NO_SUCH_ONBOARDING),
      409: error('Not possible in the current state; the message says why'),
    },
  },
});

const pathParam = (name: string, schema: Schema = { type: 'string' }) => ({ name, in: 'path', required: true, schema });
const uuidParam = (name: string) => pathParam(name, { type: 'string', format: 'uuid' });

/** Out of reach answers like unknown (use-cases/client-access-policy.ts): a therapist reaches their own clients only. */
const NO_SUCH_ONBOARDING =
  'No such onboarding within your reach (your organisation; for a therapist, your own clients)';

/** A staff GET: 401 without a key, 404 outside the organisation. */
const staffRead = (summary: string, parameters: Schema[], ok: Schema, extra: Record<number, Schema> = {}) => ({
  get: {
    summary,
    tags: ['staff'],
    security: [{ staffApiKey: [] }],
    parameters,
    responses: {
      200: ok,
      401: error('No valid staff API key'),
      404: error('Not found in your organisation'),
      ...extra,
    },
  },
});

/** The two remote-codec operations differ only in their words. */
const codecOperation = (summary: string, ok: string, bad: string) => ({
  post: {
    summary,
    tags: ['ops'],
    security: [{ staffApiKey: [] }],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { type: 'object', properties: { payloads: { type: 'array' } } } } },
    },
    responses: {
      200: { description: ok },
      400: error(bad),
      401: error('No valid staff API key'),
      403: error('Only ops and admins of the organisations that run the deployment (CODEC_OPERATOR_ORGANIZATIONS)'),
    },
  },
});

const pdf = (description: string) => ({
  description,
  content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
});

function queryParameters(schema: z.ZodObject) {
  const properties = (responseSchema(schema).properties ?? {}) as Record<string, Schema>;
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));
}

/** An ops action on one onboarding (api/routes/ops.ts): ops engineers and admins, audited as ops.<action>. */
const opsAction = (summary: string, body?: z.ZodType) => ({
  post: {
    summary,
    tags: ['ops'],
    security: [{ staffApiKey: [] }],
    parameters: [onboardingIdParam],
    ...(body
      ? { requestBody: { required: true, content: { 'application/json': { schema: requestSchema(body) } } } }
      : {}),
    responses: {
      200: json(
        ZOpsActionResponse,
        'What was done; `status` is the onboarding’s status as read from the database after the action',
      ),
      ...(body ? { 400: error('Invalid body, with field errors') } : {}),
      401: error('No valid staff API key'),
      403: error('Only ops engineers and organisation admins'),
      404: error('No such onboarding in your organisation'),
      409: error(
        'Not possible as the onboarding or its workflow stands; the message says why. A finished onboarding (COMPLETE or CANCELLED) answers "This onboarding has finished; there is nothing left to act on.", like staff actions; a FAILED one is reset only with "force": true',
      ),
      503: error('Temporal is unavailable; retry'),
    },
  },
});

export function openApiDocument(serverUrl: string): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Client portal onboarding',
      version: '0.1.0',
      description:
        'Durable client-portal onboarding for behavioural-health practices. EHRs send signed webhooks; staff read and act on onboardings with API keys. Error bodies are always {"error":{"code","message","fields?","requestId"}}.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        staffApiKey: { type: 'http', scheme: 'bearer', description: 'A staff member’s API key' },
      },
    },
    paths: {
      '/v1/webhooks/ehr/{integrationId}': {
        post: {
          summary: 'An EHR created a client’s chart, or sent an invoice',
          description:
            'Signed per Standard Webhooks with the integration’s secret: headers webhook-id, webhook-timestamp (within 5 minutes) and webhook-signature (v1,<base64 HMAC-SHA256 of "id.timestamp.body">). Idempotent per chart and per webhook-id. `chart.created` starts an onboarding; `invoice.upserted` stores or updates an invoice (by the EHR’s invoice id) shown in the client’s My Account, with its balance less portal payments not yet listed in appliedReceiptNumbers.',
          tags: ['ehr'],
          parameters: [
            { name: 'integrationId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'webhook-signature', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: requestSchema(z.discriminatedUnion('type', [ZChartCreatedWebhook, ZInvoiceUpsertedWebhook])),
              },
            },
          },
          responses: {
            202: json(ZWebhookAccepted, 'Onboarding started'),
            200: {
              description:
                'chart.created: this chart (or this webhook-id) was already received, nothing new started; invoice.upserted: the invoice as stored',
              content: {
                'application/json': {
                  schema: { oneOf: [responseSchema(ZWebhookAccepted), responseSchema(ZInvoiceAccepted)] },
                },
              },
            },
            400: error('Invalid body, with field errors'),
            401: error('Missing or invalid signature, unknown integration, or stale timestamp'),
            409: error('EMAIL_IN_USE: the email belongs to another client’s portal'),
            415: error('Body is not JSON'),
            422: error('Unknown form package; for an invoice, a chart not received yet (UNKNOWN_CHART)'),
            503: error('Temporarily unavailable; retry'),
          },
        },
      },
      '/v1/webhooks/payments/stripe': {
        post: {
          summary: 'Stripe’s webhook: a checkout completed or expired, a payment succeeded or failed, a card was saved',
          description:
            'Served with PAYMENTS_PROVIDER=stripe. Verified with STRIPE_WEBHOOK_SECRET over the exact bytes (Stripe-Signature, 5 minutes tolerance). Subscribe the endpoint to checkout.session.completed, checkout.session.expired, checkout.session.async_payment_succeeded, checkout.session.async_payment_failed, payment_intent.succeeded, payment_intent.payment_failed and setup_intent.succeeded. A redelivered event id changes nothing.',
          tags: ['payments'],
          parameters: [{ name: 'stripe-signature', in: 'header', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: {
            200: {
              description: 'Taken (duplicate: true for an event id seen before)',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: { received: { type: 'boolean' }, duplicate: { type: 'boolean' } },
                    required: ['received', 'duplicate'],
                  },
                },
              },
            },
            401: error('Missing, invalid or stale signature'),
            415: error('Body is not JSON'),
            503: error('Temporarily unavailable; Stripe retries'),
          },
        },
      },
      '/v1/onboardings/{onboardingId}': {
        get: {
          summary: 'Status, timeline and invitation of one onboarding (no PHI)',
          tags: ['staff'],
          security: [{ staffApiKey: [] }],
          parameters: [onboardingIdParam],
          responses: {
            200: json(ZOnboardingResponse, 'The onboarding'),
            401: error('No valid staff API key'),
            404: error(NO_SUCH_ONBOARDING),
          },
        },
      },
      '/v1/onboardings/{onboardingId}/payments': {
        get: {
          summary:
            'The client’s account: invoices, portal payments and the invoices they paid, open payments (admins and the assigned clinician; audited)',
          description:
            'For reconciling with the EHR, which is also called back with payment.succeeded. Ops staff get 403: billing is the client’s PHI.',
          tags: ['staff'],
          security: [{ staffApiKey: [] }],
          parameters: [onboardingIdParam],
          responses: {
            200: json(ZOnboardingPaymentsResponse, 'Newest first'),
            401: error('No valid staff API key'),
            403: error('Ops staff'),
            404: error(NO_SUCH_ONBOARDING),
          },
        },
      },
      '/v1/onboardings/{onboardingId}/invitation/resend': staffAction('Resend Invite: a new link, a fresh 7 days'),
      '/v1/onboardings/{onboardingId}/portal-access/revoke': staffAction('Revoke Access'),
      '/v1/onboardings/{onboardingId}/portal-owner': staffAction('Change Ownership to a guardian (seed 004)', {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: requestSchema(ZChangePortalOwnerRequest) } },
        },
      }),
      '/v1/onboardings/{onboardingId}/cancel': staffAction('Cancel the onboarding'),
      '/v1/onboardings/{onboardingId}/forms': staffRead(
        'Per-form status of the onboarding (no answers; audited as forms.list)',
        [onboardingIdParam],
        json(ZOnboardingFormsResponse, 'Every form request and its forms'),
        { 404: error(NO_SUCH_ONBOARDING) },
      ),
      '/v1/onboardings/{onboardingId}/form-requests': {
        post: {
          summary: 'Send New Forms to an existing portal user (seed 003): a package or single forms',
          tags: ['staff'],
          security: [{ staffApiKey: [] }],
          parameters: [onboardingIdParam],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: requestSchema(ZSendFormsRequest) } },
          },
          responses: {
            201: json(ZSendFormsResponse, 'The forms were assigned; the client is emailed'),
            400: error('Invalid body, or unknown form keys'),
            401: error('No valid staff API key'),
            403: error('Only admins and therapists with permission (seed 003)'),
            404: error(NO_SUCH_ONBOARDING),
            409: error('The client has no usable portal account, or the onboarding is closed'),
            422: error('Unknown form package'),
          },
        },
      },
      '/v1/onboardings/{onboardingId}/documents/{assignmentId}': staffRead(
        'A signed form: answers, scores and the signature check (PHI: audited as form.read)',
        [onboardingIdParam, uuidParam('assignmentId')],
        json(ZSignedFormResponse, 'The signed form'),
        { 403: error('Ops engineers never read answers'), 404: error(NO_SUCH_ONBOARDING) },
      ),
      '/v1/onboardings/{onboardingId}/documents/{assignmentId}/pdf': staffRead(
        'The signed form as PDF (audited as form.download)',
        [onboardingIdParam, uuidParam('assignmentId')],
        pdf('The PDF the client signed'),
        { 403: error('Ops engineers never read answers'), 404: error(NO_SUCH_ONBOARDING) },
      ),
      '/v1/forms': {
        get: {
          summary: 'The newest version of each form',
          tags: ['forms'],
          security: [{ staffApiKey: [] }],
          responses: { 200: json(ZFormListResponse, 'Forms'), 401: error('No valid staff API key') },
        },
        post: {
          summary: 'Publish a form, or the next version of one (admins); packages move to the new version',
          tags: ['forms'],
          security: [{ staffApiKey: [] }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: requestSchema(ZPublishFormRequest) } },
          },
          responses: {
            201: json(ZFormResponse, 'Published as a new version'),
            200: json(ZFormResponse, 'Identical to the newest version: nothing changed'),
            400: error('Invalid definition, with field errors'),
            401: error('No valid staff API key'),
            403: error('Admins only'),
          },
        },
      },
      '/v1/forms/{key}': staffRead('The newest version of a form', [pathParam('key')], json(ZFormResponse, 'The form')),
      '/v1/forms/{key}/versions/{version}': staffRead(
        'One version of a form',
        [pathParam('key'), pathParam('version', { type: 'integer', minimum: 1 })],
        json(ZFormResponse, 'The form version'),
      ),
      '/v1/form-packages': {
        get: {
          summary: 'Form & Assessment Packages',
          tags: ['forms'],
          security: [{ staffApiKey: [] }],
          responses: { 200: json(ZFormPackageListResponse, 'Packages'), 401: error('No valid staff API key') },
        },
      },
      '/v1/form-packages/{key}': {
        put: {
          summary: 'Create or replace a package with the newest version of each form (admins)',
          tags: ['forms'],
          security: [{ staffApiKey: [] }],
          parameters: [pathParam('key')],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: requestSchema(ZPutFormPackageRequest) } },
          },
          responses: {
            200: json(ZFormPackageResponse, 'The saved package'),
            400: error('Invalid body, or unknown form keys'),
            401: error('No valid staff API key'),
            403: error('Admins only'),
          },
        },
      },
      '/v1/clients/{clientId}/audit': {
        get: {
          summary: 'The client’s audit trail (admins)',
          tags: ['staff'],
          security: [{ staffApiKey: [] }],
          parameters: [
            { name: 'clientId', in: 'path', required: true, schema: responseSchema(ZClientAuditParams.shape.clientId) },
            ...queryParameters(ZClientAuditQuery),
          ],
          responses: {
            200: json(ZClientAuditResponse, 'Newest first'),
            401: error('No valid staff API key'),
            403: error('Admins only'),
            404: error('No such client in your organisation'),
          },
        },
      },
      '/v1/practice/settings': {
        get: {
          summary: 'The caller’s practice’s settings: invitations, form reminders, branding, payments (admins)',
          tags: ['staff'],
          security: [{ staffApiKey: [] }],
          responses: {
            200: json(ZPracticeSettingsResponse, 'The settings'),
            401: error('No valid staff API key'),
            403: error('Admins only'),
          },
        },
        patch: {
          summary: 'Change some of the caller’s practice’s settings (admins; audited as practice.settings_changed)',
          description:
            'Only the fields sent change; unknown fields are refused. An onboarding payment step needs paymentsEnabled, and DEPOSIT needs intakeDepositCents. Payments are taken only where the deployment has a provider (PAYMENTS_PROVIDER).',
          tags: ['staff'],
          security: [{ staffApiKey: [] }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: requestSchema(ZPracticeSettingsPatch) } },
          },
          responses: {
            200: json(ZPracticeSettingsResponse, 'The settings as they now are'),
            400: error('Invalid settings, with field errors'),
            401: error('No valid staff API key'),
            403: error('Admins only'),
            415: error('Body is not JSON'),
          },
        },
      },
      '/v1/integrations/{integrationId}/callbacks': {
        get: {
          summary: 'Delivery log of the status callbacks sent to this EHR integration (admins)',
          description:
            'Status callbacks (onboarding.registered, onboarding.expired, onboarding.forms_completed, onboarding.cancelled) are POSTed to the integration’s callback URL, signed per Standard Webhooks with its callback secret, and retried with backoff for about a day. Ids, states, status codes and times only.',
          tags: ['staff'],
          security: [{ staffApiKey: [] }],
          parameters: [
            {
              name: 'integrationId',
              in: 'path',
              required: true,
              schema: responseSchema(ZIntegrationCallbacksParams.shape.integrationId),
            },
            ...queryParameters(ZIntegrationCallbacksQuery),
          ],
          responses: {
            200: json(ZIntegrationCallbacksResponse, 'Newest first'),
            400: error('Invalid query'),
            401: error('No valid staff API key'),
            403: error('Admins only'),
            404: error('No such integration in your organisation'),
          },
        },
      },
      '/v1/ops/onboardings': {
        get: {
          summary: 'Stuck, failed or running onboardings, with Temporal’s view of each (ops; no PHI)',
          description:
            'Scans the organisation’s onboardings unchanged for olderThanMinutes (default 30 for stuck, 0 otherwise), quietest first, and asks Temporal about each. stuck: not in a final status and the workflow is missing or closed, a workflow task is failing or waiting for a worker, an activity is retrying, or the chart was never created. failed: status FAILED, or the workflow failed, timed out or was terminated while the onboarding was still open. A page can be shorter than limit while nextCursor says the scan goes on.',
          tags: ['ops'],
          security: [{ staffApiKey: [] }],
          parameters: queryParameters(ZOpsListQuery),
          responses: {
            200: json(ZOpsListResponse, 'Matching onboardings, quietest first'),
            400: error('Invalid query'),
            401: error('No valid staff API key'),
            403: error('Only ops engineers and organisation admins'),
            503: error('Temporal is unavailable; retry'),
          },
        },
      },
      '/v1/ops/onboardings/{onboardingId}': {
        get: {
          summary:
            'One onboarding for ops: status, timeline types, the current run, pending activities, children, history summary',
          tags: ['ops'],
          security: [{ staffApiKey: [] }],
          parameters: [onboardingIdParam],
          responses: {
            200: json(ZOpsOnboardingDescription, 'The onboarding and its workflow'),
            401: error('No valid staff API key'),
            403: error('Only ops engineers and organisation admins'),
            404: error('No such onboarding in your organisation'),
            503: error('Temporal is unavailable; retry'),
          },
        },
      },
      '/v1/ops/onboardings/{onboardingId}/cancel': opsAction(
        'Request cancellation of the running workflow; the onboarding becomes CANCELLED (timeline ops.cancelled). Refused (409) for a finished onboarding (COMPLETE, CANCELLED)',
      ),
      '/v1/ops/onboardings/{onboardingId}/terminate': opsAction(
        'Terminate the running workflow at once; the onboarding becomes CANCELLED (timeline ops.terminated). The reason is stored in the workflow history in plain text: no PHI. Refused (409) for a finished onboarding (COMPLETE, CANCELLED)',
        ZOpsTerminateRequest,
      ),
      '/v1/ops/onboardings/{onboardingId}/reset': opsAction(
        'Start a new run from a WorkflowTaskCompleted event of the current run (first, last, or an event id). Refused (409) for a finished onboarding (COMPLETE, CANCELLED), and for a FAILED one unless "force": true (recorded on the timeline as a forced ops.reset). The reason is stored in the workflow history in plain text: no PHI.',
        ZOpsResetRequest,
      ),
      '/v1/ops/onboardings/{onboardingId}/retry': opsAction(
        'Run a failed, timed-out or terminated flow again from the workflow task that scheduled the failed step. Refused (409) for a finished onboarding (COMPLETE, CANCELLED)',
      ),
      '/v1/ops/bulk': {
        post: {
          summary:
            'Cancel or terminate every onboarding a stuck/failed query matches (dry run unless dryRun is false). Each is checked as it is acted on: finished ones (COMPLETE, CANCELLED) and closed workflows are listed under refused, not done',
          tags: ['ops'],
          security: [{ staffApiKey: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: requestSchema(ZOpsBulkRequest) } } },
          responses: {
            200: json(ZOpsBulkResponse, 'What matched, and what was done, refused or failed'),
            400: error('Invalid body, with field errors'),
            401: error('No valid staff API key'),
            403: error('Only ops engineers and organisation admins'),
            503: error('Temporal is unavailable; retry'),
          },
        },
      },
      '/codec/decode': codecOperation(
        'Remote codec for the Temporal Web UI and CLI: decrypt payloads (the deployment’s operators; audited)',
        'The payloads, decoded ({"payloads":[{"metadata":{…},"data":"<base64>"}]})',
        'Not a codec request, or a payload that does not decrypt',
      ),
      '/codec/encode': codecOperation(
        'Remote codec: encrypt payloads (the deployment’s operators; audited)',
        'The payloads, encrypted',
        'Not a codec request',
      ),
      '/healthz': { get: { summary: 'Liveness', tags: ['ops'], responses: { 200: { description: 'Alive' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: database and Temporal reachable',
          tags: ['ops'],
          responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics (text exposition format)',
          description:
            'With METRICS_TOKEN set, send it as `Authorization: Bearer <token>`; without it, only clients on the same host (loopback) are answered and everyone else gets 404.',
          tags: ['ops'],
          responses: {
            200: { description: 'Metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
            401: error('METRICS_TOKEN is set and the request does not carry it'),
            404: error('No METRICS_TOKEN is set and the client is not on this host'),
          },
        },
      },
    },
  };
}
