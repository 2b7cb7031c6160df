import type { ActivityDependencies } from '.';
import { recordAudit } from '../audit/audit-log';
import type { ClientLinkRequest, LinkRequestDecision } from '../workflows/client-link-requests';
import { applyOnboardingProgress } from './onboarding-progress';

/**
 * "Email me a new link" (issue 20, part 3): what the workflow decided about a
 * client's request, in the audit trail and on the timeline, once. The new
 * invitation itself goes out through issueInvitation like any resend.
 */
export function createClientLinkRequestActivities(deps: Pick<ActivityDependencies, 'db'>) {
  const { db } = deps;
  return {
    /**
     * The onboarding a "Forgot your password?" address may ask a new
     * invitation of: an account that never registered, in a practice that
     * offers new links, still waiting on its invitation. The invitation goes
     * to the address on file, which is the one typed, so nothing is sent
     * anywhere new. Null otherwise (the password-reset flow answers the same).
     */
    async findOnboardingForLinkRequest(input: {
      organizationId: string;
      email: string;
    }): Promise<{ workflowId: string } | null> {
      const account = await db.portalAccount.findUnique({
        where: {
          organizationId_email: { organizationId: input.organizationId, email: input.email.trim().toLowerCase() },
        },
        select: {
          status: true,
          organization: { select: { clientLinkRequests: true } },
          invitations: {
            orderBy: { createdAt: 'desc' },
            take: 1,
            select: { onboarding: { select: { status: true, workflowId: true } } },
          },
        },
      });
      const onboarding = account?.invitations[0]?.onboarding;
      if (account?.status !== 'INVITED' || !account.organization.clientLinkRequests || !onboarding) return null;
      if (onboarding.status !== 'INVITED' && onboarding.status !== 'EXPIRED') return null;
      return { workflowId: onboarding.workflowId };
    },

    async recordClientLinkRequest({
      onboardingId,
      request,
      decision,
    }: {
      onboardingId: string;
      request: ClientLinkRequest;
      decision: LinkRequestDecision;
    }): Promise<void> {
      const key = `client-link-request:${request.requestId}`;
      await db.$transaction(async (tx) => {
        // A retried activity finds its own entry and writes neither twice.
        if (await tx.onboardingEvent.findFirst({ where: { onboardingId, key }, select: { id: true } })) return;
        const onboarding = await tx.onboarding.findUniqueOrThrow({
          where: { id: onboardingId },
          select: { organizationId: true, clientId: true },
        });
        const account = onboarding.clientId
          ? await tx.portalAccount.findUnique({ where: { clientId: onboarding.clientId }, select: { id: true } })
          : null;
        const reason = decision.send ? 'sent' : decision.reason;
        await recordAudit(tx, {
          organizationId: onboarding.organizationId,
          // Not signed in: the link (or the address typed) names the account, not proof of who holds it.
          actor: account ? { type: 'portal_user', id: account.id } : { type: 'anonymous' },
          action: 'portal.invitation_link_request',
          clientId: onboarding.clientId,
          onboardingId,
          outcome: decision.send ? 'success' : 'refused',
          origin: request.origin,
          detail: { via: request.via, reason },
        });
        await applyOnboardingProgress(tx, {
          onboardingId,
          event: { key, type: 'invitation.client_requested', detail: { via: request.via, outcome: reason } },
        });
      });
    },
  };
}
