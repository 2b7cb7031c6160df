import type { Db } from '../../db/client';
import type { SecretBox } from '../../security/secret-box';
import { verifyWebhook, type WebhookHeaders } from '../../security/standard-webhooks';
import { AppError } from '../app-error';

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
 * The secrets are stored encrypted (security/secret-box.ts); `secretBox`
 * opens them. One it cannot open (a key id not configured, an altered value)
 * is a server error, logged without the secret, not a bad signature.
 *
 * @returns the integration, so the request need not look it up again.
 */
export async function authenticateEhrWebhook(
  db: Db,
  secretBox: SecretBox,
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
  const stored = integration
    ? [
        integration.signingSecret,
        ...(integration.previousSigningSecret &&
        integration.previousSecretExpiresAt &&
        integration.previousSecretExpiresAt.getTime() > Date.now()
          ? [integration.previousSigningSecret]
          : []),
      ]
    : [];
  const secrets = stored.map((secret) => secretBox.open(secret));
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
