import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** sha256 hex: how every bearer secret (links, sessions, API keys) is stored. 256-bit random inputs need no slow hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** 256 random bits, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The registration link's token for an invitation: HMAC-SHA256 of its id
 * under the server's key, so the activity that emails it can compute the
 * same token again when it is retried after a crash (the same email, never a
 * second link), while only its hash is stored.
 */
export function invitationToken(key: Buffer, invitationId: string): string {
  return createHmac('sha256', key).update(`invitation:${invitationId}`).digest('base64url');
}

/** Constant-time string comparison for secrets. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Shape of tokens we issue: 43 base64url characters. Anything else is refused before any lookup. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
