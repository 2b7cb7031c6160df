import type { ActivityDependencies } from '.';
import { sendTemplatedEmail } from './emails';
import { applyOnboardingProgress } from './onboarding-progress';
import { staffToNotify } from './staff-recipients';

/** A hard bounce or complaint; or delayed reports and no delivery within the practice's window. */
export type UndeliverableReason = 'bounced' | 'not-delivered';

/**
 * An invitation that will never arrive (a hard bounce or a spam complaint,
 * reported by the provider's webhook): the onboarding shows "Invitation
 * bounced" until staff correct the address or cancel.
 */
export function createInvitationBounceActivities(
  deps: Pick<ActivityDependencies, 'db' | 'mailer' | 'metrics' | 'tokenSigningKey' | 'publicBaseUrl'>,
) {
  const { db } = deps;
  return {
    /**
     * 'stale' when the client registered or a newer invitation went out meanwhile: nothing changes.
     * `reason` 'not-delivered': no bounce, but still undelivered when the practice's delay window ended.
     */
    async markInvitationBounced({
      invitationId,
      reason = 'bounced',
    }: {
      invitationId: string;
      reason?: UndeliverableReason;
    }): Promise<{ outcome: 'bounced' | 'stale'; sequence: number }> {
      const marked = await db.$transaction(async (tx) => {
        const invitation = await tx.invitation.findUniqueOrThrow({
          where: { id: invitationId },
          select: { status: true, onboardingId: true, sequence: true },
        });
        if (invitation.status !== 'PENDING') return { outcome: 'stale' as const, sequence: invitation.sequence };
        await applyOnboardingProgress(tx, {
          onboardingId: invitation.onboardingId,
          status: 'INVITATION_BOUNCED',
          event: {
            key: `invitation-undeliverable:${invitation.sequence}`,
            type: 'invitation.undeliverable',
            detail: { sequence: invitation.sequence, ...(reason === 'bounced' ? {} : { reason }) },
          },
        });
        return { outcome: 'bounced' as const, sequence: invitation.sequence };
      });
      if (marked.outcome === 'bounced') await notifyStaff(invitationId, reason);
      return marked;
    },

    /**
     * Whether any email carrying this invitation's link (the invitation, a
     * reminder) was reported delivered: the delay window's end escalates
     * only an invitation that never landed.
     */
    async checkInvitationDelivered({ invitationId }: { invitationId: string }): Promise<{ delivered: boolean }> {
      const delivered = await db.emailMessage.count({
        where: {
          deliveryStatus: 'delivered',
          OR: [
            { idempotencyKey: `invitation:${invitationId}` },
            { idempotencyKey: { startsWith: `invitation-reminder:${invitationId}:` } },
          ],
        },
      });
      return { delivered: delivered > 0 };
    },
  };

  /**
   * Tells the practice's admins and the assigned clinician, one email each
   * under `invitation-bounced:<invitation>:<staff>`, so a retry sends none
   * twice. No PHI: a short reference and a link to the client's page.
   */
  async function notifyStaff(invitationId: string, reason: UndeliverableReason): Promise<void> {
    const { onboarding } = await db.invitation.findUniqueOrThrow({
      where: { id: invitationId },
      select: {
        onboarding: {
          select: {
            id: true,
            organizationId: true,
            assignedStaffId: true,
            organization: { select: { name: true, slug: true, timeZone: true, brandColor: true } },
          },
        },
      },
    });
    const { organization } = onboarding;
    for (const member of await staffToNotify(db, onboarding.organizationId, onboarding.assignedStaffId)) {
      await sendTemplatedEmail(deps, {
        organizationId: onboarding.organizationId,
        onboardingId: onboarding.id,
        idempotencyKey: `invitation-bounced:${invitationId}:${member.id}`,
        template: 'invitation-bounced-staff',
        to: member.email,
        props: {
          practiceName: organization.name,
          brandColor: organization.brandColor ?? undefined,
          timeZone: organization.timeZone,
          recipientName: member.displayName,
          onboardingReference: onboarding.id.slice(0, 8),
          reason,
          clientPageUrl: `${deps.publicBaseUrl}/staff/${organization.slug}/onboardings/${onboarding.id}`,
        },
      });
    }
  }
}
