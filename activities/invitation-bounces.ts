import type { ActivityDependencies } from '.';
import { applyOnboardingProgress } from './onboarding-progress';

/**
 * An invitation that will never arrive (a hard bounce or a spam complaint,
 * reported by the provider's webhook): the onboarding shows "Invitation
 * bounced" until staff correct the address or cancel.
 */
export function createInvitationBounceActivities(deps: Pick<ActivityDependencies, 'db'>) {
  const { db } = deps;
  return {
    /** 'stale' when the client registered or a newer invitation went out meanwhile: nothing changes. */
    async markInvitationBounced({
      invitationId,
    }: {
      invitationId: string;
    }): Promise<{ outcome: 'bounced' | 'stale'; sequence: number }> {
      return db.$transaction(async (tx) => {
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
            detail: { sequence: invitation.sequence },
          },
        });
        return { outcome: 'bounced' as const, sequence: invitation.sequence };
      });
    },
  };
}
