/** EHR integrations managed by the practice's admins (api/routes/integrations.ts, issue 19). */
import {
  ZInboundDeliveries,
  ZIntegration,
  ZIntegrationCallbackParams,
  ZIntegrationCreate,
  ZIntegrationCreated,
  ZIntegrationId,
  ZIntegrationList,
  ZIntegrationPatch,
  ZIntegrationRotate,
  ZIntegrationRotated,
  ZPingResult,
  ZRedelivery,
} from '../../schemas/integrations';
import { error, json, operation, type Schema } from './operation';

const ADMINS_ONLY = error('Admins only');
const NO_SUCH = error('No such integration in your organisation');
const AUDITED = 'Audited as integration.';
const NO_SEALING_KEY = error('This server has no key to store secrets with (SECRETS_ENCRYPTION_KEYS)');

export function integrationPaths(): Record<string, Schema> {
  return {
    '/v1/integrations': {
      get: operation({
        operationId: 'listIntegrations',
        summary: 'The practice’s EHR integrations, without their secrets (admins)',
        tags: ['integrations'],
        auth: 'staff',
        scope: 'read',
        responses: { 200: json(ZIntegrationList, 'Oldest first'), 403: ADMINS_ONLY },
      }),
      post: operation({
        operationId: 'createIntegration',
        summary: 'Create an EHR integration: its webhook URL, signing secret and callback secret (admins)',
        description: `The two secrets are in this answer only: they are stored encrypted and never shown again. ${AUDITED}create.`,
        tags: ['integrations'],
        auth: 'staff',
        scope: 'admin',
        body: ZIntegrationCreate,
        responses: {
          201: json(ZIntegrationCreated, 'Created; keep the secrets now'),
          403: ADMINS_ONLY,
          503: NO_SEALING_KEY,
        },
      }),
    },
    '/v1/integrations/{integrationId}': {
      get: operation({
        operationId: 'getIntegration',
        summary: 'One EHR integration (admins)',
        tags: ['integrations'],
        auth: 'staff',
        scope: 'read',
        params: ZIntegrationId,
        responses: { 200: json(ZIntegration, 'The integration'), 403: ADMINS_ONLY, 404: NO_SUCH },
      }),
      patch: operation({
        operationId: 'updateIntegration',
        summary: 'Set the callback URL and events, rename, disable or re-enable an integration (admins)',
        description: `The callback URL must be https to a public host; an empty callbackEvents list means every event. A disabled integration’s webhooks are refused (403 INTEGRATION_DISABLED) and it gets no callbacks. ${AUDITED}update, .disable or .enable.`,
        tags: ['integrations'],
        auth: 'staff',
        scope: 'admin',
        params: ZIntegrationId,
        body: ZIntegrationPatch,
        responses: { 200: json(ZIntegration, 'The integration as it now is'), 403: ADMINS_ONLY, 404: NO_SUCH },
      }),
    },
    '/v1/integrations/{integrationId}/rotate-secret': {
      post: operation({
        operationId: 'rotateIntegrationSecret',
        summary: 'A new signing secret; the current one stays valid until previousValidUntil (at most 7 days)',
        description: `The new secret is in this answer only. ${AUDITED}rotate_secret.`,
        tags: ['integrations'],
        auth: 'staff',
        scope: 'admin',
        params: ZIntegrationId,
        body: ZIntegrationRotate,
        invalid: 'previousValidUntil is not a date-time in the next 7 days, or a malformed id',
        responses: {
          200: json(ZIntegrationRotated, 'Rotated; keep the new secret now'),
          403: ADMINS_ONLY,
          404: NO_SUCH,
          503: NO_SEALING_KEY,
        },
      }),
    },
    '/v1/integrations/{integrationId}/ping': {
      post: operation({
        operationId: 'pingIntegrationCallback',
        summary: 'Send a signed test `ping` callback now and answer what the EHR said (admins)',
        description: `${AUDITED}ping. An EHR that cannot be reached is a 200 with delivered false.`,
        tags: ['integrations'],
        auth: 'staff',
        scope: 'admin',
        params: ZIntegrationId,
        responses: {
          200: json(ZPingResult, 'Sent, or tried: delivered says whether the EHR answered 2xx'),
          403: ADMINS_ONLY,
          404: NO_SUCH,
          409: error('The integration has no callback URL'),
          503: error('The callback secret cannot be decrypted by this server'),
        },
      }),
    },
    '/v1/integrations/{integrationId}/deliveries': {
      get: operation({
        operationId: 'listIntegrationDeliveries',
        summary: 'Webhooks this EHR sent us that passed the signature check, with their outcome (admins)',
        tags: ['integrations'],
        auth: 'staff',
        scope: 'read',
        params: ZIntegrationId,
        responses: { 200: json(ZInboundDeliveries, 'Newest first, at most 100'), 403: ADMINS_ONLY, 404: NO_SUCH },
      }),
    },
    '/v1/integrations/{integrationId}/callbacks/{callbackId}/redeliver': {
      post: operation({
        operationId: 'redeliverIntegrationCallback',
        summary: 'Send a FAILED status callback again, under the same webhook-id (admins)',
        description: `${AUDITED}callback_redeliver.`,
        tags: ['integrations'],
        auth: 'staff',
        scope: 'admin',
        params: ZIntegrationCallbackParams,
        responses: {
          202: json(ZRedelivery, 'Delivery started; the callback log shows how it goes'),
          403: ADMINS_ONLY,
          404: error('No such integration or callback in your organisation'),
          409: error('The callback did not fail, or the integration has no endpoint'),
          503: error('Temporal is unavailable; retry'),
        },
      }),
    },
  };
}
