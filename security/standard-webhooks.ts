import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from './tokens';

/**
 * Standard Webhooks (standardwebhooks.com) signatures: HMAC-SHA256 over
 * `${webhook-id}.${webhook-timestamp}.${body}` with the integration's secret,
 * sent as `webhook-signature: v1,<base64>` (several, space-separated, during
 * a rotation). The timestamp must be within five minutes of ours, so a
 * captured request cannot be replayed later.
 */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = 'whsec_';
/**
 * The shortest HMAC key we accept, in bytes (192 bits). `whsec_` alone, or a
 * short password-like secret, decodes to a key anyone could guess, and an
 * HMAC with an empty key signs nothing.
 */
export const MIN_WEBHOOK_SECRET_BYTES = 24;

export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

export function isStrongWebhookSecret(secret: string): boolean {
  return keyOf(secret).length >= MIN_WEBHOOK_SECRET_BYTES;
}

export class WeakWebhookSecretError extends Error {
  override readonly name = 'WeakWebhookSecretError';
  constructor() {
    super(
      `a webhook secret must decode to at least ${MIN_WEBHOOK_SECRET_BYTES} bytes ("whsec_" + base64 of 32 random bytes)`,
    );
  }
}

/** Called wherever a signing or callback secret is stored, so a weak one never gets in. */
export function assertStrongWebhookSecret(secret: string): void {
  if (!isStrongWebhookSecret(secret)) throw new WeakWebhookSecretError();
}

export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${digest}`;
}

export type WebhookVerification = 'valid' | 'missing-headers' | 'stale-timestamp' | 'bad-signature' | 'weak-secret';

export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/**
 * Checks a delivery against every currently valid secret (two during a
 * rotation). A weak secret verifies nothing: a signature made with it proves
 * little, so such a delivery is refused as 'weak-secret'.
 */
export function verifyWebhook(
  secrets: readonly string[],
  headers: WebhookHeaders,
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): WebhookVerification {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || id.length > 256) return 'missing-headers';
  if (Math.abs(nowSeconds - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) return 'stale-timestamp';
  const offered = signature.split(' ').filter((part) => part.startsWith('v1,'));
  const strong = secrets.filter(isStrongWebhookSecret);
  if (strong.length === 0) return 'weak-secret';
  for (const secret of strong) {
    const expected = signWebhook(secret, id, Number(timestamp), rawBody);
    if (offered.some((candidate) => safeEqual(candidate, expected))) return 'valid';
  }
  return 'bad-signature';
}
