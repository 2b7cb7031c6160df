/**
 * The OpenAPI 3.1 description of the JSON API, generated from the same zod
 * schemas that validate requests and shape responses, so it cannot describe
 * an API we do not have. Built with the deployment's options, so it lists
 * only what this deployment serves. Served at GET /openapi.json.
 */
import { adminPaths } from './admin';
import { apiKeyPaths } from './api-keys';
import { staffPaths } from './staff';
import { staffInvitationPaths } from './staff-invitations';
import { formPaths } from './forms';
import { integrationPaths } from './integrations';
import { onboardingPaths } from './onboardings';
import { opsPaths } from './ops';
import { portalUserPaths } from './portal-users';
import { SHARED_RESPONSES, type Schema } from './operation';
import { codecPaths, healthPaths } from './platform';
import { ehrWebhookPaths, stripeWebhookPaths } from './webhooks';
import { emailEventPaths } from './email-events';

export interface OpenApiOptions {
  /** PAYMENTS_PROVIDER's kind: Stripe's webhook is documented (and served) only for 'stripe'. */
  paymentsProvider?: string | null;
  /** The codec (/codec) is served only with payload keys. */
  codec?: boolean;
  /** Resend's delivery events are served only with RESEND_WEBHOOK_SECRET. */
  emailEvents?: boolean;
}

export function openApiDocument(serverUrl: string, options: OpenApiOptions = {}): Schema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Client portal onboarding',
      version: '0.1.0',
      description:
        'Durable client-portal onboarding for behavioural-health practices. EHRs send signed webhooks; staff read and act on onboardings with API keys. Error bodies are always {"error":{"code","message","fields?","requestId"}}. A method a path does not have answers 405 with an Allow header.',
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        staffApiKey: { type: 'http', scheme: 'bearer', description: 'A staff member’s API key' },
      },
      responses: SHARED_RESPONSES,
    },
    paths: {
      ...ehrWebhookPaths(),
      ...(options.paymentsProvider === 'stripe' ? stripeWebhookPaths() : {}),
      ...(options.emailEvents ? emailEventPaths() : {}),
      ...onboardingPaths(),
      ...portalUserPaths(),
      ...formPaths(),
      ...adminPaths(),
      ...integrationPaths(),
      ...apiKeyPaths(),
      ...staffPaths(),
      ...staffInvitationPaths(),
      ...opsPaths(),
      ...(options.codec ? codecPaths() : {}),
      ...healthPaths(),
    },
  };
}
