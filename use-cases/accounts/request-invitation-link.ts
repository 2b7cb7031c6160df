/**
 * "Email me a new link" (issue 20, part 3): a client who opens an expired or
 * superseded invitation link can have a fresh invitation sent without phoning
 * the practice. The new link goes to the address already on file, never to
 * one typed here; the page answers the same whatever happens next; the
 * onboarding workflow decides (weekly limit, still waiting on an invitation)
 * and sends it through its ordinary resend path, so the old link stays dead
 * and the timeline, the audit trail and the EHR see it like any resend.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import type { AuditEntry } from '../../audit/audit-log';
import type { InvitationStatus, OnboardingStatus } from '../../generated/prisma/enums';
import { hashToken, TOKEN_PATTERN } from '../../security/tokens';
import { clientLinkRequestSignal } from '../../workflows/client-onboarding';
import type { ClientLinkRequest } from '../../workflows/client-link-requests';

/** Dead links that may ask: not a revoked one (staff meant it), not a used one (that client signs in). */
const ASKING_LINKS: readonly InvitationStatus[] = ['PENDING', 'EXPIRED', 'SUPERSEDED', 'LOCKED'];
/** Onboardings still waiting on an invitation: not bounced (the address is wrong), revoked, cancelled or done. */
const WAITING: readonly OnboardingStatus[] = ['INVITED', 'EXPIRED'];

export interface LinkRequestDeps {
  db: Db;
  temporal: Client;
  logger: Logger;
}

/** The onboarding a dead link may ask a new invitation of, or null if the page must offer nothing. */
async function askingOnboarding(db: Db, token: string): Promise<{ workflowId: string } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const invitation = await db.invitation.findUnique({
    where: { tokenHash: hashToken(token) },
    select: {
      status: true,
      expiresAt: true,
      organization: { select: { clientLinkRequests: true } },
      onboarding: { select: { status: true, workflowId: true } },
    },
  });
  if (!invitation?.organization.clientLinkRequests) return null;
  if (!ASKING_LINKS.includes(invitation.status)) return null;
  // A pending link that still works is a registration form, not a dead end.
  if (invitation.status === 'PENDING' && invitation.expiresAt.getTime() > Date.now()) return null;
  if (!WAITING.includes(invitation.onboarding.status)) return null;
  return { workflowId: invitation.onboarding.workflowId };
}

/** Whether the dead-link page offers "Email me a new link". */
export async function offersNewLink(db: Db, token: string): Promise<boolean> {
  return (await askingOnboarding(db, token)) !== null;
}

/**
 * Asks the link's onboarding for a new invitation. Returns nothing: the page
 * says the same whether a link went out, the limit was reached or the link
 * never could ask. The workflow writes the audit row and the timeline entry.
 */
export async function requestNewInvitationLink(
  deps: LinkRequestDeps,
  token: string,
  origin: AuditEntry['origin'],
): Promise<void> {
  const asking = await askingOnboarding(deps.db, token);
  if (!asking) return;
  const request: ClientLinkRequest = {
    requestId: randomUUID(),
    via: 'expired-link',
    origin: { ip: origin?.ip ?? null, userAgent: origin?.userAgent ?? null, requestId: origin?.requestId ?? null },
  };
  try {
    await deps.temporal.workflow.getHandle(asking.workflowId).signal(clientLinkRequestSignal, request);
  } catch (error) {
    // The flow ended in between (registered, cancelled): nothing to send, and the answer stays the same.
    deps.logger.warn({ err: error, workflowId: asking.workflowId }, 'could not pass on a new-link request');
  }
}
