/**
 * "Email me a new link" (issue 20, part 3): when a client's request for a
 * fresh invitation is honoured. Pure and deterministic, so the onboarding
 * workflow decides it from its own state and workflow time: one place, no
 * race between two tabs or two servers, and a request the workflow refuses
 * costs nothing but an audit row.
 */
import type { OnboardingStatus } from '../domain/onboarding-status';

/** At most this many client-requested links per onboarding in any LINK_REQUEST_WINDOW_MS. */
export const MAX_LINK_REQUESTS = 3;
export const LINK_REQUEST_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Where the request came from, for the audit trail. */
export interface ClientLinkRequest {
  /** Random per request: keys its audit row and timeline entry, so a retried activity writes them once. */
  requestId: string;
  /** The page it came from: the dead link itself, or the portal's "Forgot your password?" form. */
  via: 'expired-link' | 'forgot-password';
  origin: { ip?: string | null; userAgent?: string | null; requestId?: string | null };
}

export type LinkRequestDecision =
  | { send: true }
  | {
      send: false;
      /** Why not: written to the audit trail, never shown to the person asking. */
      reason: 'not-invited' | 'not-waiting' | 'rate-limited';
    };

/**
 * Only while the client is waiting on an invitation (invited, or expired):
 * not after registration, a revocation, a cancellation or a bounce (the
 * address on file is the problem; staff fix it), and not more than
 * MAX_LINK_REQUESTS times a week, so the form cannot be used to flood a
 * client's inbox.
 */
export function decideLinkRequest(
  status: OnboardingStatus,
  invited: boolean,
  earlierSends: readonly number[],
  now: number,
): LinkRequestDecision {
  if (!invited) return { send: false, reason: 'not-invited' };
  if (status !== 'INVITED' && status !== 'EXPIRED') return { send: false, reason: 'not-waiting' };
  const recent = earlierSends.filter((at) => now - at < LINK_REQUEST_WINDOW_MS);
  if (recent.length >= MAX_LINK_REQUESTS) return { send: false, reason: 'rate-limited' };
  return { send: true };
}
