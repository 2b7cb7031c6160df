/**
 * Sign-in attempts per account, whatever address they come from (issue 14,
 * item 3): a botnet spreading guesses over many addresses passes the
 * per-address limit, and a right password between every four wrong ones
 * (someone who knows it, or a shared account) keeps clearing the strikes of
 * login-lockout.ts. This cap counts every attempt on the typed email in a
 * sliding window before the password is checked (so parallel guesses all
 * count), and takes back the ones that turn out to be the right password: a
 * receptionist signing in on five devices is not slowed, a guesser is, in PostgreSQL like the address limit (security/rate-limiter.ts:
 * atomic, shared by all API instances, keys stored as HMACs).
 *
 * It counts the email as typed, known or not, so its answer says nothing
 * about whether an account exists. It slows the account rather than closing
 * it: the count drains as the window slides, so the owner gets in within
 * minutes of the guessing stopping.
 */
import type { Db } from '../db/client';
import { createRateLimiter, rateLimitKeySecret } from './rate-limiter';

/** Sign-in attempts on one account (practice and email) per window, from all addresses together. */
export const ACCOUNT_ATTEMPTS_PER_WINDOW = 10;
export const ACCOUNT_WINDOW_MS = 15 * 60 * 1000;

export type SignInDoor = 'staff' | 'portal';

export interface AccountAttempts {
  /** Counts an attempt on (practice, email) at this door; false when the account has had too many. */
  attempt(organizationId: string, email: string): Promise<boolean>;
  /** The attempt had the right password: it does not count against the account. */
  succeeded(organizationId: string, email: string): Promise<void>;
}

export function accountAttemptLimiter(db: Db, door: SignInDoor, tokenSigningKey: Buffer): AccountAttempts {
  const limiter = createRateLimiter(db, {
    name: `${door}-account-sign-in`,
    limit: ACCOUNT_ATTEMPTS_PER_WINDOW,
    windowMs: ACCOUNT_WINDOW_MS,
    keySecret: rateLimitKeySecret(tokenSigningKey),
  });
  const keyOf = (organizationId: string, email: string) => `${organizationId}\0${email.trim().toLowerCase()}`;
  return {
    attempt: (organizationId, email) => limiter.attempt(keyOf(organizationId, email)),
    succeeded: (organizationId, email) => limiter.forgive(keyOf(organizationId, email)),
  };
}
