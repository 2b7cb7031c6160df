/**
 * The half-signed-in state between a right password and the second factor:
 * a short-lived token, HMAC-signed with the server's key, that names the
 * staff member and what is still owed (a code, or enrolment). It is not a
 * session: nothing but the second-factor pages reads it, and it expires in
 * five minutes. The strikes against the account are counted in the database,
 * so a fresh token does not buy fresh guesses.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from './tokens';

export const PENDING_SIGN_IN_MS = 5 * 60 * 1000;

export type PendingStep = 'code' | 'enrol';

export interface PendingSignIn {
  staffUserId: string;
  organizationId: string;
  step: PendingStep;
  /** Epoch ms. */
  expiresAt: number;
}

const sign = (key: Buffer, payload: string) =>
  createHmac('sha256', key).update(`staff-pending-sign-in:${payload}`).digest('base64url');

export function issuePendingSignIn(key: Buffer, pending: Omit<PendingSignIn, 'expiresAt'>, now = Date.now()): string {
  const payload = Buffer.from(
    JSON.stringify({ ...pending, expiresAt: now + PENDING_SIGN_IN_MS } satisfies PendingSignIn),
  ).toString('base64url');
  return `${payload}.${sign(key, payload)}`;
}

/** The pending sign-in a token names, or null if it is forged, altered, malformed or expired. */
export function readPendingSignIn(key: Buffer, token: string | undefined, now = Date.now()): PendingSignIn | null {
  if (!token || token.length > 1000) return null;
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0 || !safeEqual(sign(key, payload), signature)) return null;
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as PendingSignIn;
    if (typeof parsed.expiresAt !== 'number' || parsed.expiresAt <= now) return null;
    if (parsed.step !== 'code' && parsed.step !== 'enrol') return null;
    return parsed;
  } catch {
    return null;
  }
}
