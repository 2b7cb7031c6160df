import type { Db } from '../db/client';
import { verifyWebhook, type WebhookHeaders } from '../security/standard-webhooks';
import { AppError } from './app-error';

/** The integration a verified webhook came from. */
export interface VerifiedIntegration {
  id: string;
  organizationId: string;
  active: boolean;
}

/**
 * Only the EHR holding the integration's secret may start onboardings for
 * its practice. An unknown integration fails exactly like a bad signature,
 * so the endpoint tells an outsider nothing.
 *
 * @returns the integration, so the request need not look it up again.
 */
export async function authenticateEhrWebhook(
  db: Db,
  integrationId: string,
  headers: WebhookHeaders,
  rawBody: string,
): Promise<VerifiedIntegration> {
  const integration = await db.ehrIntegration.findUnique({
    where: { id: integrationId },
    select: {
      organizationId: true,
      active: true,
      signingSecret: true,
      previousSigningSecret: true,
      previousSecretExpiresAt: true,
    },
  });
  const secrets = integration
    ? [
        integration.signingSecret,
        ...(integration.previousSigningSecret &&
        integration.previousSecretExpiresAt &&
        integration.previousSecretExpiresAt.getTime() > Date.now()
          ? [integration.previousSigningSecret]
          : []),
      ]
    : [];
  const verdict = secrets.length ? verifyWebhook(secrets, headers, rawBody) : 'bad-signature';
  if (verdict === 'valid' && integration) {
    return { id: integrationId, organizationId: integration.organizationId, active: integration.active };
  }
  throw new AppError('UNAUTHENTICATED', `webhook rejected: ${verdict}`, {
    publicMessage:
      verdict === 'stale-timestamp'
        ? 'The webhook-timestamp header is more than 5 minutes away from our clock.'
        : 'The webhook is not signed with this integration’s secret (Standard Webhooks headers webhook-id, webhook-timestamp, webhook-signature).',
  });
}
