/**
 * The steps of a colleague's invitation to the staff dashboard (issue 19).
 * Link number `sequence` has the token HMAC(id, sequence), so a retried step
 * recomputes the same link and sends it under the same idempotency key, and
 * a resend (sequence + 1) kills the previous link by replacing the stored
 * hash. The invitee's name and email are read here, never in the workflow.
 */
import type { StaffRole } from '../generated/prisma/client';
import { recordAudit } from '../audit/audit-log';
import { hashToken, invitationToken } from '../security/tokens';
import { sendTemplatedEmail } from './emails';
import { refusal, type InvitationDependencies } from './invitations';

const ROLE_LABELS: Record<StaffRole, string> = { ADMIN: 'Administrator', THERAPIST: 'Therapist', OPS: 'Operations' };

/** The link's token for one sent link of a staff invitation. */
export function staffInvitationToken(key: Buffer, invitationId: string, sequence: number): string {
  return invitationToken(key, `staff:${invitationId}:${sequence}`);
}

export function staffInvitationUrl(publicBaseUrl: string, orgSlug: string, token: string): string {
  return `${publicBaseUrl}/staff/${encodeURIComponent(orgSlug)}/invitation/${token}`;
}

export function createStaffInvitationActivities(deps: InvitationDependencies) {
  const { db } = deps;

  async function email(invitationId: string, reminder: boolean) {
    const invitation = await db.staffInvitation.findUniqueOrThrow({
      where: { id: invitationId },
      include: { organization: { select: { name: true, slug: true, timeZone: true, brandColor: true } } },
    });
    const token = staffInvitationToken(deps.tokenSigningKey, invitation.id, invitation.sequence);
    const { organization } = invitation;
    await sendTemplatedEmail(deps, {
      organizationId: invitation.organizationId,
      onboardingId: null,
      idempotencyKey: `staff-invitation${reminder ? '-reminder' : ''}:${invitation.id}:${invitation.sequence}`,
      template: 'staff-invitation',
      to: invitation.email,
      props: {
        practiceName: organization.name,
        brandColor: organization.brandColor ?? undefined,
        timeZone: organization.timeZone,
        recipientName: invitation.displayName,
        registerUrl: staffInvitationUrl(deps.publicBaseUrl, organization.slug, token),
        expiresAt: invitation.expiresAt.toISOString(),
        roleLabel: ROLE_LABELS[invitation.role],
        reminder,
      },
    });
  }

  return {
    /** Makes link number `sequence` the live one (earlier links stop working) and emails it. */
    async sendStaffInvitation(input: {
      invitationId: string;
      sequence: number;
      ttlMs: number;
      requestedBy: string | null;
    }): Promise<void> {
      await db.$transaction(async (tx) => {
        const invitation = await tx.staffInvitation.findUniqueOrThrow({ where: { id: input.invitationId } });
        if (invitation.status === 'USED')
          throw refusal('This invitation has already been accepted.', 'AlreadyAccepted');
        // The first link is made with the row (the API answers with its expiry); a retry finds it made.
        if (invitation.sequence >= input.sequence) return;
        await tx.staffInvitation.update({
          where: { id: input.invitationId },
          data: {
            sequence: input.sequence,
            tokenHash: hashToken(staffInvitationToken(deps.tokenSigningKey, input.invitationId, input.sequence)),
            status: 'PENDING',
            expiresAt: new Date(Date.now() + input.ttlMs),
          },
        });
        await recordAudit(tx, {
          organizationId: invitation.organizationId,
          actor: input.requestedBy ? { type: 'staff', id: input.requestedBy } : { type: 'system' },
          action: 'staff.invitation_resend',
          outcome: 'success',
          detail: { invitationId: invitation.id, sequence: input.sequence },
        });
      });
      await email(input.invitationId, false);
    },

    /** The one reminder, while link `sequence` is still usable; nothing once it is not. */
    async remindStaffInvitation(input: { invitationId: string; sequence: number }): Promise<{ sent: boolean }> {
      const invitation = await db.staffInvitation.findUniqueOrThrow({ where: { id: input.invitationId } });
      if (
        invitation.status !== 'PENDING' ||
        invitation.sequence !== input.sequence ||
        invitation.expiresAt.getTime() <= Date.now()
      ) {
        return { sent: false };
      }
      await email(input.invitationId, true);
      return { sent: true };
    },

    /** Marks link `sequence` expired unless the invitee used it first: the database decides the race. */
    async expireStaffInvitation(input: {
      invitationId: string;
      sequence: number;
    }): Promise<{ outcome: 'expired' | 'accepted' }> {
      await db.staffInvitation.updateMany({
        where: { id: input.invitationId, sequence: input.sequence, status: 'PENDING' },
        data: { status: 'EXPIRED' },
      });
      const { status } = await db.staffInvitation.findUniqueOrThrow({
        where: { id: input.invitationId },
        select: { status: true },
      });
      return { outcome: status === 'USED' ? 'accepted' : 'expired' };
    },

    /** An admin's revoke: the live link dies; a resend gives a new one. */
    async revokeStaffInvitation(input: { invitationId: string; staffUserId: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        const invitation = await tx.staffInvitation.findUniqueOrThrow({ where: { id: input.invitationId } });
        if (invitation.status === 'USED')
          throw refusal('This invitation has already been accepted.', 'AlreadyAccepted');
        await tx.staffInvitation.update({ where: { id: input.invitationId }, data: { status: 'REVOKED' } });
        await recordAudit(tx, {
          organizationId: invitation.organizationId,
          actor: { type: 'staff', id: input.staffUserId },
          action: 'staff.invitation_revoke',
          outcome: 'success',
          detail: { invitationId: invitation.id },
        });
      });
    },
  };
}
