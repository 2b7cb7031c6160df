/**
 * The steps of a contact's invitation to a client's portal (issue 15): the
 * client's invitation lifecycle (activities/invitations.ts) for one portal
 * user, keyed by their access row. The same guarantees: the row is keyed by
 * (access, sequence) and its token is an HMAC of its id, so a retried step
 * finds the same row, recomputes the same link and sends under the same
 * idempotency key. The timeline gets ids only; the contact's name and email
 * are read here, inside the activity, never in the workflow's input.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma } from '../generated/prisma/client';
import { recordAudit } from '../audit/audit-log';
import { hashToken, invitationToken } from '../security/tokens';
import { sendTemplatedEmail } from './emails';
import { refusal, registrationUrl, type InvitationDependencies, type InvitationReason } from './invitations';
import { applyOnboardingProgress } from './onboarding-progress';

export interface IssuePortalUserInvitationInput {
  accessId: string;
  /** 1, 2, 3… per access row: the same sequence always means the same invitation. */
  sequence: number;
  ttlMs: number;
  reason: Exclude<InvitationReason, 'new-owner'>;
  requestedBy: string | null;
}

/** The access row with what an invitation email needs; a refusal once staff removed the user. */
async function accessOf(tx: Prisma.TransactionClient, accessId: string) {
  const access = await tx.clientPortalAccess.findUnique({
    where: { id: accessId },
    include: {
      portalUser: { select: { id: true, email: true, name: true } },
      client: { select: { id: true, firstName: true, onboarding: { select: { id: true } } } },
      organization: { select: { name: true, timeZone: true, invitationIntroText: true, brandColor: true } },
    },
  });
  if (!access) throw refusal('This person is no longer a portal user of the client.', 'PortalUserRemoved');
  const onboardingId = access.client.onboarding?.id;
  if (!onboardingId) throw new Error(`client of access ${accessId} has no onboarding`);
  return { ...access, onboardingId };
}

async function staleInvitationsOf(tx: Prisma.TransactionClient, accessId: string, status: 'SUPERSEDED' | 'REVOKED') {
  await tx.portalUserInvitation.updateMany({
    where: { clientPortalAccessId: accessId, status: { in: ['PENDING', 'LOCKED'] } },
    data: { status },
  });
}

export function createPortalUserInvitationActivities(deps: InvitationDependencies) {
  const { db } = deps;

  return {
    /** Issues the contact's invitation number `sequence` and emails its link; earlier links stop working. */
    async issuePortalUserInvitation(input: IssuePortalUserInvitationInput): Promise<{ invitationId: string }> {
      const { invitation, access } = await db.$transaction(async (tx) => {
        const access = await accessOf(tx, input.accessId);
        if (access.status === 'ACTIVE') throw refusal('This portal user has already registered.', 'AlreadyRegistered');
        let invitation = await tx.portalUserInvitation.findUnique({
          where: {
            clientPortalAccessId_sequence: { clientPortalAccessId: input.accessId, sequence: input.sequence },
          },
        });
        if (!invitation) {
          await staleInvitationsOf(tx, input.accessId, 'SUPERSEDED');
          const id = randomUUID();
          invitation = await tx.portalUserInvitation.create({
            data: {
              id,
              organizationId: access.organizationId,
              onboardingId: access.onboardingId,
              clientPortalAccessId: input.accessId,
              sequence: input.sequence,
              tokenHash: hashToken(invitationToken(deps.tokenSigningKey, id)),
              expiresAt: new Date(Date.now() + input.ttlMs),
            },
          });
          if (access.status === 'REVOKED') {
            await tx.clientPortalAccess.update({ where: { id: input.accessId }, data: { status: 'INVITED' } });
          }
          // Sending reads the contact's name and email and names the client's practice to them.
          await recordAudit(tx, {
            organizationId: access.organizationId,
            actor: input.requestedBy ? { type: 'staff', id: input.requestedBy } : { type: 'system' },
            action: 'portal_user.invitation_send',
            clientId: access.clientId,
            onboardingId: access.onboardingId,
            outcome: 'success',
            detail: { portalUserId: access.portalUserId, sequence: input.sequence, reason: input.reason },
          });
          await applyOnboardingProgress(tx, {
            onboardingId: access.onboardingId,
            event: {
              key: `portal-user-invitation-sent:${input.accessId}:${input.sequence}`,
              type: 'portal_user.invitation_sent',
              detail: {
                portalUserId: access.portalUserId,
                sequence: input.sequence,
                reason: input.reason,
                requestedBy: input.requestedBy,
              },
            },
          });
        }
        return { invitation, access };
      });

      const token = invitationToken(deps.tokenSigningKey, invitation.id);
      const { organization } = access;
      const common = {
        organizationId: invitation.organizationId,
        onboardingId: invitation.onboardingId,
        idempotencyKey: `portal-user-invitation:${invitation.id}`,
        to: access.portalUser.email,
      };
      const props = {
        practiceName: organization.name,
        brandColor: organization.brandColor ?? undefined,
        timeZone: organization.timeZone,
        recipientName: access.portalUser.name ?? access.client.firstName,
        registerUrl: registrationUrl(deps.publicBaseUrl, token),
        expiresAt: invitation.expiresAt.toISOString(),
      };
      if (input.sequence === 1) {
        await sendTemplatedEmail(deps, {
          ...common,
          template: 'portal-invitation',
          props: { ...props, introText: organization.invitationIntroText ?? undefined },
        });
      } else {
        await sendTemplatedEmail(deps, { ...common, template: 'invitation-resent', props });
      }
      return { invitationId: invitation.id };
    },

    /** Reminds the contact while their link is still usable; does nothing once it is not. */
    async sendPortalUserInvitationReminder({
      invitationId,
      day,
    }: {
      invitationId: string;
      day: number;
    }): Promise<{ sent: boolean }> {
      const invitation = await db.portalUserInvitation.findUniqueOrThrow({
        where: { id: invitationId },
        include: {
          access: { select: { portalUserId: true, portalUser: { select: { email: true, name: true } } } },
          organization: { select: { name: true, timeZone: true, brandColor: true } },
          onboarding: { select: { client: { select: { firstName: true } } } },
        },
      });
      if (invitation.status !== 'PENDING' || invitation.expiresAt.getTime() <= Date.now()) return { sent: false };
      const daysLeft = Math.max(0, Math.floor((invitation.expiresAt.getTime() - Date.now()) / (24 * 60 * 60 * 1000)));
      await sendTemplatedEmail(deps, {
        organizationId: invitation.organizationId,
        onboardingId: invitation.onboardingId,
        idempotencyKey: `portal-user-invitation-reminder:${invitation.id}:${day}`,
        template: 'invitation-reminder',
        to: invitation.access.portalUser.email,
        props: {
          practiceName: invitation.organization.name,
          brandColor: invitation.organization.brandColor ?? undefined,
          timeZone: invitation.organization.timeZone,
          recipientName: invitation.access.portalUser.name ?? invitation.onboarding.client?.firstName ?? '',
          registerUrl: registrationUrl(deps.publicBaseUrl, invitationToken(deps.tokenSigningKey, invitation.id)),
          expiresAt: invitation.expiresAt.toISOString(),
          daysLeft,
        },
      });
      await db.$transaction((tx) =>
        applyOnboardingProgress(tx, {
          onboardingId: invitation.onboardingId,
          event: {
            key: `portal-user-invitation-reminder:${invitation.clientPortalAccessId}:${invitation.sequence}:${day}`,
            type: 'portal_user.invitation_reminder_sent',
            detail: { portalUserId: invitation.access.portalUserId, sequence: invitation.sequence, day },
          },
        }),
      );
      return { sent: true };
    },

    /** Marks the link expired unless the contact used it first: the database decides the race. */
    async expirePortalUserInvitation({
      invitationId,
    }: {
      invitationId: string;
    }): Promise<{ outcome: 'expired' | 'registered' }> {
      return db.$transaction(async (tx) => {
        await tx.portalUserInvitation.updateMany({
          where: { id: invitationId, status: { in: ['PENDING', 'LOCKED'] } },
          data: { status: 'EXPIRED' },
        });
        const invitation = await tx.portalUserInvitation.findUniqueOrThrow({
          where: { id: invitationId },
          select: {
            status: true,
            onboardingId: true,
            sequence: true,
            clientPortalAccessId: true,
            access: { select: { portalUserId: true } },
          },
        });
        if (invitation.status === 'USED') return { outcome: 'registered' as const };
        await applyOnboardingProgress(tx, {
          onboardingId: invitation.onboardingId,
          event: {
            key: `portal-user-invitation-expired:${invitation.clientPortalAccessId}:${invitation.sequence}`,
            type: 'portal_user.invitation_expired',
            detail: { portalUserId: invitation.access.portalUserId, sequence: invitation.sequence },
          },
        });
        return { outcome: 'expired' as const };
      });
    },

    /** Revoke, per user: their link dies and their access is marked revoked until staff resend. */
    async revokePortalUserInvitation({ accessId, staffUserId }: { accessId: string; staffUserId: string }) {
      await db.$transaction(async (tx) => {
        const access = await accessOf(tx, accessId);
        await staleInvitationsOf(tx, accessId, 'REVOKED');
        await tx.clientPortalAccess.update({ where: { id: accessId }, data: { status: 'REVOKED' } });
        const revocations = await tx.onboardingEvent.count({
          where: { onboardingId: access.onboardingId, type: 'portal_user.invitation_revoked' },
        });
        await applyOnboardingProgress(tx, {
          onboardingId: access.onboardingId,
          event: {
            key: `portal-user-invitation-revoked:${revocations + 1}`,
            type: 'portal_user.invitation_revoked',
            detail: { portalUserId: access.portalUserId, staffUserId },
          },
        });
      });
    },
  };
}
