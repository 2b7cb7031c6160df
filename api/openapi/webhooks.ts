/** What EHRs and the card processor post to us: signed, so no API key (`security: []`). */
import { z } from 'zod';
import { ZIntegrationParams } from '../routes/ehr-webhooks';
import { ZChartCreatedWebhook, ZWebhookAccepted } from '../../schemas/chart-created-webhook';
import { ZInvoiceAccepted, ZInvoiceUpsertedWebhook } from '../../schemas/invoice-webhook';
import { ZContactsAccepted, ZContactsUpdatedWebhook } from '../../schemas/ehr-contacts';
import { error, json, operation, responseSchema, type Schema } from './operation';

const header = (name: string, description: string) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
});

export function ehrWebhookPaths(): Record<string, Schema> {
  return {
    '/v1/webhooks/ehr/{integrationId}': {
      post: operation({
        operationId: 'receiveEhrWebhook',
        summary: 'An EHR created a client’s chart, sent an invoice, or sent a client’s contacts',
        description:
          'No API key: signed per Standard Webhooks with the integration’s secret instead: headers webhook-id, webhook-timestamp (within 5 minutes) and webhook-signature (v1,<base64 HMAC-SHA256 of "id.timestamp.body">). Idempotent per chart and per webhook-id. `chart.created` starts an onboarding; `invoice.upserted` stores or updates an invoice (by the EHR’s invoice id) shown in the client’s My Account, with its balance less portal payments not yet listed in appliedReceiptNumbers. `chart.created` may name `contacts` (parents, guardians, a spouse) who become portal users invited after the client; `client.contacts_updated` sends the full list later: new contacts are added and invited, changed ones updated, EHR-named ones missing from the list removed (contacts staff added stay). Permissions default to BASIC and FORMS.',
        tags: ['ehr'],
        auth: 'none',
        params: ZIntegrationParams,
        headers: [
          header('webhook-id', 'Unique per message; a redelivery keeps it'),
          header('webhook-timestamp', 'Unix seconds, within 5 minutes of ours'),
          header('webhook-signature', 'v1,<base64 HMAC-SHA256 of "id.timestamp.body"> (space-separated when several)'),
        ],
        body: z.discriminatedUnion('type', [ZChartCreatedWebhook, ZInvoiceUpsertedWebhook, ZContactsUpdatedWebhook]),
        responses: {
          202: json(ZWebhookAccepted, 'Onboarding started'),
          200: {
            description:
              'chart.created: this chart (or this webhook-id) was already received, nothing new started; invoice.upserted: the invoice as stored; client.contacts_updated: what changed (nothing when duplicate)',
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    responseSchema(ZWebhookAccepted),
                    responseSchema(ZInvoiceAccepted),
                    responseSchema(ZContactsAccepted),
                  ],
                },
              },
            },
          },
          401: error('Missing or invalid signature, unknown integration, or stale timestamp'),
          403: error('The integration is disabled'),
          409: error('EMAIL_IN_USE: the email belongs to another client’s portal'),
          422: error(
            'Unknown form package or clinician; for an invoice or contacts, a chart not received (or not yet created) (UNKNOWN_CHART)',
          ),
          503: error('Temporarily unavailable; retry'),
        },
      }),
    },
  };
}

/** Served only with PAYMENTS_PROVIDER=stripe (api/routes/payment-webhooks.ts). */
export function stripeWebhookPaths(): Record<string, Schema> {
  return {
    '/v1/webhooks/payments/stripe': {
      post: operation({
        operationId: 'receiveStripeWebhook',
        summary: 'Stripe’s webhook: a checkout completed or expired, a payment succeeded or failed, a card was saved',
        description:
          'No API key: verified with STRIPE_WEBHOOK_SECRET over the exact bytes instead (Stripe-Signature, 5 minutes tolerance). Subscribe the endpoint to checkout.session.completed, checkout.session.expired, checkout.session.async_payment_succeeded, checkout.session.async_payment_failed, payment_intent.succeeded, payment_intent.payment_failed and setup_intent.succeeded. A redelivered event id changes nothing.',
        tags: ['payments'],
        auth: 'none',
        headers: [header('stripe-signature', 't=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">')],
        body: z.looseObject({}).describe('A Stripe event, as Stripe sends it'),
        invalid: 'Body is not valid JSON',
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
          503: error('Temporarily unavailable; Stripe retries'),
        },
      }),
    },
  };
}
