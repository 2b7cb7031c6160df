/**
 * Password-reset links without a table: the token carries the account id and
 * its expiry, and an HMAC over both plus a fingerprint of the current password
 * hash. Setting a new password changes the hash, so a used link (and every
 * other link sent before it) stops working: single use, for free.
 */
import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from './tokens';

export const PASSWORD_RESET_VALID_MS = 60 * 60 * 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function mac(key: Buffer, accountId: string, expiresAtMs: number, passwordHash: string): string {
  const fingerprint = createHash('sha256').update(passwordHash).digest('base64url');
  return createHmac('sha256', key)
    .update(`password-reset:${accountId}:${expiresAtMs}:${fingerprint}`)
    .digest('base64url');
}

export function passwordResetToken(key: Buffer, accountId: string, expiresAtMs: number, passwordHash: string): string {
  return `${accountId}.${expiresAtMs}.${mac(key, accountId, expiresAtMs, passwordHash)}`;
}

/** The account id a token names, before the database is asked; null for anything malformed. */
export function parsePasswordResetToken(token: string): { accountId: string; expiresAtMs: number } | null {
  const [accountId, expires, signature, ...rest] = token.split('.');
  if (rest.length || !accountId || !UUID.test(accountId) || !expires || !/^\d{13}$/.test(expires) || !signature) {
    return null;
  }
  return { accountId, expiresAtMs: Number(expires) };
}

/** True when the token was made for this account and its current password, and has not expired. */
export function verifyPasswordResetToken(key: Buffer, token: string, passwordHash: string, now = Date.now()): boolean {
  const parsed = parsePasswordResetToken(token);
  if (!parsed || parsed.expiresAtMs <= now) return false;
  return safeEqual(token, passwordResetToken(key, parsed.accountId, parsed.expiresAtMs, passwordHash));
}
