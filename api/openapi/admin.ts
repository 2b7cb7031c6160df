/** An organisation admin's own API: the practice's settings, a client's audit trail, callback deliveries. */
import { ZClientAuditParams, ZClientAuditQuery, ZClientAuditResponse } from '../../schemas/audit';
import {
  ZIntegrationCallbacksParams,
  ZIntegrationCallbacksQuery,
  ZIntegrationCallbacksResponse,
} from '../../schemas/callbacks';
import { ZPracticeSettingsPatch, ZPracticeSettingsResponse } from '../../schemas/practice-settings';
import { error, json, operation, type Schema } from './operation';

const ADMINS_ONLY = error('Admins only');

export function adminPaths(): Record<string, Schema> {
  return {
    '/v1/clients/{clientId}/audit': {
      get: operation({
        operationId: 'getClientAudit',
        summary: 'The client’s audit trail (admins)',
        tags: ['staff'],
        auth: 'staff',
        scope: 'read',
        params: ZClientAuditParams,
        query: ZClientAuditQuery,
        responses: {
          200: json(ZClientAuditResponse, 'Newest first'),
          403: ADMINS_ONLY,
          404: error('No such client in your organisation'),
        },
      }),
    },
    '/v1/practice/settings': {
      get: operation({
        operationId: 'getPracticeSettings',
        summary: 'The caller’s practice’s settings: invitations, form reminders, branding, payments (admins)',
        tags: ['staff'],
        auth: 'staff',
        scope: 'read',
        responses: { 200: json(ZPracticeSettingsResponse, 'The settings'), 403: ADMINS_ONLY },
      }),
      patch: operation({
        operationId: 'updatePracticeSettings',
        summary: 'Change some of the caller’s practice’s settings (admins; audited as practice.settings_changed)',
        description:
          'Only the fields sent change; unknown fields are refused. An onboarding payment step needs paymentsEnabled, and DEPOSIT needs intakeDepositCents. Payments are taken only where the deployment has a provider (PAYMENTS_PROVIDER).',
        tags: ['staff'],
        auth: 'staff',
        scope: 'admin',
        body: ZPracticeSettingsPatch,
        invalid: 'Invalid settings, with field errors',
        responses: { 200: json(ZPracticeSettingsResponse, 'The settings as they now are'), 403: ADMINS_ONLY },
      }),
    },
    '/v1/integrations/{integrationId}/callbacks': {
      get: operation({
        operationId: 'listIntegrationCallbacks',
        summary: 'Delivery log of the status callbacks sent to this EHR integration (admins)',
        description:
          'Status callbacks (onboarding.registered, onboarding.expired, onboarding.forms_completed, onboarding.cancelled, invitation.bounced) are POSTed to the integration’s callback URL, signed per Standard Webhooks with its callback secret, and retried with backoff for about a day. Ids, states, status codes and times only.',
        tags: ['staff'],
        auth: 'staff',
        scope: 'read',
        params: ZIntegrationCallbacksParams,
        query: ZIntegrationCallbacksQuery,
        responses: {
          200: json(ZIntegrationCallbacksResponse, 'Newest first'),
          403: ADMINS_ONLY,
          404: error('No such integration in your organisation'),
        },
      }),
    },
  };
}
