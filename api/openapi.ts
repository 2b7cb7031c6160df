/**
 * The OpenAPI 3.1 description of the JSON API, generated from the same zod
 * schemas that validate requests and shape responses, so it cannot describe
 * an API we do not have. Served at GET /openapi.json.
 */
import { z } from 'zod';
import { ZClientAuditParams, ZClientAuditQuery, ZClientAuditResponse } from './schemas/audit';
import { ZChartCreatedWebhook, ZWebhookAccepted } from './schemas/chart-created-webhook';
import { ZErrorResponse } from './schemas/error-response';
import { ZChangePortalOwnerRequest, ZOnboardingResponse, ZStaffActionResponse } from './schemas/onboarding';

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
      404: error('No such onboarding in your organisation'),
      409: error('Not possible in the current state; the message says why'),
    },
  },
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
          summary: 'An EHR created a client’s chart',
          description:
            'Signed per Standard Webhooks with the integration’s secret: headers webhook-id, webhook-timestamp (within 5 minutes) and webhook-signature (v1,<base64 HMAC-SHA256 of "id.timestamp.body">). Idempotent per chart and per webhook-id.',
          tags: ['ehr'],
          parameters: [
            { name: 'integrationId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string' } },
            { name: 'webhook-signature', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: requestSchema(ZChartCreatedWebhook) } },
          },
          responses: {
            202: json(ZWebhookAccepted, 'Onboarding started'),
            200: json(ZWebhookAccepted, 'This chart (or this webhook-id) was already received; nothing new started'),
            400: error('Invalid body, with field errors'),
            401: error('Missing or invalid signature, unknown integration, or stale timestamp'),
            409: error('EMAIL_IN_USE: the email belongs to another client’s portal'),
            415: error('Body is not JSON'),
            422: error('Unknown form package'),
            503: error('Temporarily unavailable; retry'),
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
            404: error('No such onboarding in your organisation'),
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
      '/healthz': { get: { summary: 'Liveness', tags: ['ops'], responses: { 200: { description: 'Alive' } } } },
      '/readyz': {
        get: {
          summary: 'Readiness: database and Temporal reachable',
          tags: ['ops'],
          responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } },
        },
      },
    },
  };
}
