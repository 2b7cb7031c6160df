import { randomUUID } from 'node:crypto';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import type { Mailer } from '../emails/mailer';
import type { AppMetrics } from '../observability/metrics';
import { hashToken, invitationToken } from '../security/tokens';
import { invitationTtlMs } from '../domain/invitation-ttl';
import { recordAudit } from '../audit/audit-log';
import { sendTemplatedEmail } from './emails';
import { applyOnboardingProgress } from './onboarding-progress';

export interface InvitationDependencies {
  db: Db;
  mailer: Mailer;
  /** Signs registration-link tokens (security/tokens.ts). */
  tokenSigningKey: Buffer;
  /** Public URL of the API, for links in emails, without a trailing slash (config/env.ts). */
  publicBaseUrl: string;
  /** Counts the emails sent (sendTemplatedEmail). */
  metrics?: AppMetrics;
}

export interface InvitationPolicy {
  ttlMs: number;
  /** Days after sending on which to remind; empty = no reminders. */
  reminderDays: number[];
  /** How many times to re-send an expired invitation by itself; 0 = wait for staff. */
  automaticResends: number;
  /**
   * How long a delayed invitation may stay undelivered before staff are told. Optional: policies
   * recorded in histories before it existed lack it, and the workflow then uses a day.
   */
  deliveryDelayWindowMs?: number;
}

export type InvitationReason = 'initial' | 'resend' | 'automatic-resend' | 'new-owner' | 'client-request';

export interface IssueInvitationInput {
  onboardingId: string;
  /** 1, 2, 3… per onboarding: the same sequence always means the same invitation. */
  sequence: number;
  ttlMs: number;
  reason: InvitationReason;
  requestedBy: string | null;
}

/**
 * What issueInvitation did: the invitation it issued (or found, on a retry),
 * or nothing because the client has already registered. The latter is a race,
 * not a refusal: an attempt that sent the email and then lost its answer
 * (a killed worker) is retried after the client used the link.
 */
export type IssueInvitationResult =
  { invitationId: string; alreadyRegistered?: never } | { invitationId?: never; alreadyRegistered: true };

/** The portal URL a registration link points at. */
export function registrationUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}/portal/register/${token}`;
}

/** Business refusals: the workflow turns them into the staff action's failure message. */
/**
 * A business refusal (an email in use, no email on the chart): final, and routine. BENIGN keeps
 * the SDK from logging it as a warning with a stack trace, as it does for real failures.
 */
export function refusal(message: string, type: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, category: ApplicationFailureCategory.BENIGN });
}

async function staleInvitationsOf(
  tx: Prisma.TransactionClient,
  onboardingId: string,
  status: 'SUPERSEDED' | 'REVOKED',
) {
  await tx.invitation.updateMany({
    where: { onboardingId, status: { in: ['PENDING', 'LOCKED'] } },
    data: { status },
  });
}

export function createInvitationActivities(deps: InvitationDependencies) {
  const { db } = deps;

  return {
    async getInvitationPolicy({ organizationId }: { organizationId: string }): Promise<InvitationPolicy> {
      const org = await db.organization.findUniqueOrThrow({
        where: { id: organizationId },
        select: {
          invitationTtlHours: true,
          invitationTtlMinutes: true,
          invitationReminderDays: true,
          autoReinviteMax: true,
          deliveryDelayWindowHours: true,
        },
      });
      return {
        ttlMs: invitationTtlMs(org),
        reminderDays: [...new Set(org.invitationReminderDays)].filter((day) => day > 0).sort((a, b) => a - b),
        automaticResends: Math.max(0, org.autoReinviteMax),
        deliveryDelayWindowMs: org.deliveryDelayWindowHours * 60 * 60 * 1000,
      };
    },

    /**
     * Issues the onboarding's invitation number `sequence` and emails its link.
     * Creates the portal account on first use (the email must be unique in
     * the organisation), supersedes any earlier link, and is idempotent: a
     * retry finds the same invitation row, so recomputes the same token and
     * sends with the same idempotency key. Once the client has registered it
     * sends nothing and says so (IssueInvitationResult).
     */
    async issueInvitation(input: IssueInvitationInput): Promise<IssueInvitationResult> {
      const issued = await db.$transaction(async (tx) => {
        const onboarding = await tx.onboarding.findUniqueOrThrow({
          where: { id: input.onboardingId },
          select: { organizationId: true, clientId: true },
        });
        if (!onboarding.clientId) throw new Error(`onboarding ${input.onboardingId} has no chart yet`);
        const client = await tx.client.findUniqueOrThrow({
          where: { id: onboarding.clientId },
          select: { id: true, firstName: true, email: true },
        });
        let account = await tx.portalAccount.findUnique({ where: { clientId: client.id } });
        if (!account) {
          if (!client.email) throw refusal('The client has no email address on the chart.', 'EmailMissing');
          const taken = await tx.portalAccount.findUnique({
            where: { organizationId_email: { organizationId: onboarding.organizationId, email: client.email } },
            select: { id: true },
          });
          if (taken) {
            throw refusal('This email address already belongs to another client portal account.', 'EmailInUse');
          }
          account = await tx.portalAccount.create({
            data: { organizationId: onboarding.organizationId, clientId: client.id, email: client.email },
          });
        } else if (account.status === 'ACTIVE') {
          // Registered: no new invitation. One this sequence already made (an earlier attempt of this
          // activity) has its email finished below, under its key, so its record does not stay PENDING.
          const started = await tx.invitation.findUnique({
            where: { onboardingId_sequence: { onboardingId: input.onboardingId, sequence: input.sequence } },
          });
          if (!started) return null;
          const organization = await tx.organization.findUniqueOrThrow({
            where: { id: onboarding.organizationId },
            select: { name: true, timeZone: true, invitationIntroText: true, brandColor: true },
          });
          return { invitation: started, account, client, organization, registered: true };
        } else if (account.status === 'REVOKED') {
          account = await tx.portalAccount.update({ where: { id: account.id }, data: { status: 'INVITED' } });
        }

        let invitation = await tx.invitation.findUnique({
          where: { onboardingId_sequence: { onboardingId: input.onboardingId, sequence: input.sequence } },
        });
        if (!invitation) {
          await staleInvitationsOf(tx, input.onboardingId, 'SUPERSEDED');
          const id = randomUUID();
          invitation = await tx.invitation.create({
            data: {
              id,
              organizationId: onboarding.organizationId,
              onboardingId: input.onboardingId,
              portalAccountId: account.id,
              sequence: input.sequence,
              tokenHash: hashToken(invitationToken(deps.tokenSigningKey, id)),
              expiresAt: new Date(Date.now() + input.ttlMs),
            },
          });
          // Sending the invitation reads the client's name and email.
          await recordAudit(tx, {
            organizationId: onboarding.organizationId,
            actor: input.requestedBy ? { type: 'staff', id: input.requestedBy } : { type: 'system' },
            action: 'invitation.send',
            clientId: client.id,
            onboardingId: input.onboardingId,
            outcome: 'success',
            detail: { sequence: input.sequence, reason: input.reason },
          });
          await applyOnboardingProgress(tx, {
            onboardingId: input.onboardingId,
            status: 'INVITED',
            event: {
              key: `invitation-sent:${input.sequence}`,
              type: 'invitation.sent',
              detail: { sequence: input.sequence, reason: input.reason, requestedBy: input.requestedBy },
            },
          });
        }
        const organization = await tx.organization.findUniqueOrThrow({
          where: { id: onboarding.organizationId },
          select: { name: true, timeZone: true, invitationIntroText: true, brandColor: true },
        });
        return { invitation, account, client, organization, registered: false };
      });
      if (!issued) return { alreadyRegistered: true };
      const { invitation, account, client, organization, registered } = issued;

      const token = invitationToken(deps.tokenSigningKey, invitation.id);
      const common = {
        organizationId: invitation.organizationId,
        onboardingId: invitation.onboardingId,
        idempotencyKey: `invitation:${invitation.id}`,
        to: account.email,
      };
      const props = {
        practiceName: organization.name,
        brandColor: organization.brandColor ?? undefined,
        timeZone: organization.timeZone,
        recipientName: account.ownerName ?? client.firstName,
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
      return registered ? { alreadyRegistered: true } : { invitationId: invitation.id };
    },

    /** Reminds the client while the link is still usable; does nothing once it is not. */
    async sendInvitationReminder({
      invitationId,
      day,
    }: {
      invitationId: string;
      day: number;
    }): Promise<{ sent: boolean }> {
      const invitation = await db.invitation.findUniqueOrThrow({
        where: { id: invitationId },
        include: {
          portalAccount: { select: { email: true, ownerName: true } },
          organization: { select: { name: true, timeZone: true, brandColor: true } },
          onboarding: { select: { client: { select: { firstName: true } } } },
        },
      });
      if (invitation.status !== 'PENDING' || invitation.expiresAt.getTime() <= Date.now()) return { sent: false };
      const daysLeft = Math.max(0, Math.floor((invitation.expiresAt.getTime() - Date.now()) / (24 * 60 * 60 * 1000)));
      await sendTemplatedEmail(deps, {
        organizationId: invitation.organizationId,
        onboardingId: invitation.onboardingId,
        idempotencyKey: `invitation-reminder:${invitation.id}:${day}`,
        template: 'invitation-reminder',
        to: invitation.portalAccount.email,
        props: {
          practiceName: invitation.organization.name,
          brandColor: invitation.organization.brandColor ?? undefined,
          timeZone: invitation.organization.timeZone,
          recipientName: invitation.portalAccount.ownerName ?? invitation.onboarding.client?.firstName ?? '',
          registerUrl: registrationUrl(deps.publicBaseUrl, invitationToken(deps.tokenSigningKey, invitation.id)),
          expiresAt: invitation.expiresAt.toISOString(),
          daysLeft,
        },
      });
      await db.$transaction((tx) =>
        applyOnboardingProgress(tx, {
          onboardingId: invitation.onboardingId,
          event: {
            key: `invitation-reminder:${invitation.sequence}:${day}`,
            type: 'invitation.reminder_sent',
            detail: { sequence: invitation.sequence, day },
          },
        }),
      );
      return { sent: true };
    },

    /**
     * Marks the link expired, unless the client used it first: the database
     * decides the race between a registration and the expiry timer.
     */
    async expireInvitation({ invitationId }: { invitationId: string }): Promise<{ outcome: 'expired' | 'registered' }> {
      return db.$transaction(async (tx) => {
        await tx.invitation.updateMany({
          where: { id: invitationId, status: { in: ['PENDING', 'LOCKED'] } },
          data: { status: 'EXPIRED' },
        });
        const invitation = await tx.invitation.findUniqueOrThrow({
          where: { id: invitationId },
          select: { status: true, onboardingId: true, sequence: true },
        });
        if (invitation.status === 'USED') return { outcome: 'registered' as const };
        await applyOnboardingProgress(tx, {
          onboardingId: invitation.onboardingId,
          status: 'EXPIRED',
          event: {
            key: `invitation-expired:${invitation.sequence}`,
            type: 'invitation.expired',
            detail: { sequence: invitation.sequence },
          },
        });
        return { outcome: 'expired' as const };
      });
    },

    /** Revoke Access (seed 001): the link dies, the account is disabled, every session ends. */
    async revokePortalAccess({ onboardingId, staffUserId }: { onboardingId: string; staffUserId: string }) {
      await db.$transaction(async (tx) => {
        await staleInvitationsOf(tx, onboardingId, 'REVOKED');
        const onboarding = await tx.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
        if (onboarding.clientId) {
          const account = await tx.portalAccount.findUnique({ where: { clientId: onboarding.clientId } });
          if (account) {
            await tx.portalAccount.update({ where: { id: account.id }, data: { status: 'REVOKED' } });
            await tx.portalSession.updateMany({
              where: { portalAccountId: account.id, revokedAt: null },
              data: { revokedAt: new Date() },
            });
          }
        }
        const revocations = await tx.onboardingEvent.count({ where: { onboardingId, type: 'portal.access_revoked' } });
        await applyOnboardingProgress(tx, {
          onboardingId,
          status: 'REVOKED',
          event: { key: `access-revoked:${revocations + 1}`, type: 'portal.access_revoked', detail: { staffUserId } },
        });
      });
    },

    /**
     * Change Ownership (seed 004): a parent, guardian or other contact becomes
     * the portal owner with their own email. The old owner's password and
     * sessions go; the client's last name and date of birth still verify.
     */
    async changePortalOwner({
      onboardingId,
      staffUserId,
      owner,
    }: {
      onboardingId: string;
      staffUserId: string;
      owner: { name: string; email: string };
    }) {
      const email = owner.email.trim().toLowerCase();
      await db.$transaction(async (tx) => {
        const onboarding = await tx.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
        if (!onboarding.clientId) throw new Error(`onboarding ${onboardingId} has no chart yet`);
        const taken = await tx.portalAccount.findUnique({
          where: { organizationId_email: { organizationId: onboarding.organizationId, email } },
          select: { clientId: true },
        });
        if (taken && taken.clientId !== onboarding.clientId) {
          throw refusal('This email address already belongs to another client portal account.', 'EmailInUse');
        }
        const ownerFields = {
          email,
          ownerKind: 'GUARDIAN' as const,
          ownerName: owner.name.trim(),
          status: 'INVITED' as const,
          passwordHash: null,
          registeredAt: null,
          failedLogins: 0,
          lockedUntil: null,
        };
        const account = await tx.portalAccount.upsert({
          where: { clientId: onboarding.clientId },
          create: { organizationId: onboarding.organizationId, clientId: onboarding.clientId, ...ownerFields },
          update: ownerFields,
        });
        await tx.portalSession.updateMany({
          where: { portalAccountId: account.id, revokedAt: null },
          data: { revokedAt: new Date() },
        });
        await staleInvitationsOf(tx, onboardingId, 'SUPERSEDED');
        const changes = await tx.onboardingEvent.count({ where: { onboardingId, type: 'portal.owner_changed' } });
        await applyOnboardingProgress(tx, {
          onboardingId,
          event: { key: `owner-changed:${changes + 1}`, type: 'portal.owner_changed', detail: { staffUserId } },
        });
      });
    },

    async cancelOnboarding({ onboardingId, staffUserId }: { onboardingId: string; staffUserId: string }) {
      await db.$transaction(async (tx) => {
        await staleInvitationsOf(tx, onboardingId, 'REVOKED');
        const onboarding = await tx.onboarding.findUniqueOrThrow({ where: { id: onboardingId } });
        if (onboarding.clientId) {
          await tx.portalAccount.updateMany({
            where: { clientId: onboarding.clientId, status: 'INVITED' },
            data: { status: 'REVOKED' },
          });
        }
        await applyOnboardingProgress(tx, {
          onboardingId,
          status: 'CANCELLED',
          event: { key: 'cancelled', type: 'onboarding.cancelled', detail: { staffUserId } },
        });
      });
    },

    /** "Your portal account is ready": once per registration. */
    async sendRegistrationConfirmation({ onboardingId }: { onboardingId: string }): Promise<void> {
      const invitation = await db.invitation.findFirst({
        where: { onboardingId, status: 'USED' },
        orderBy: { sequence: 'desc' },
        include: {
          portalAccount: { select: { email: true, ownerName: true } },
          organization: { select: { name: true, timeZone: true, brandColor: true, slug: true } },
          onboarding: { select: { client: { select: { firstName: true } } } },
        },
      });
      if (!invitation) throw new Error(`onboarding ${onboardingId} has no used invitation`);
      await sendTemplatedEmail(deps, {
        organizationId: invitation.organizationId,
        onboardingId,
        idempotencyKey: `registration-confirmed:${invitation.id}`,
        template: 'registration-confirmed',
        to: invitation.portalAccount.email,
        props: {
          practiceName: invitation.organization.name,
          brandColor: invitation.organization.brandColor ?? undefined,
          timeZone: invitation.organization.timeZone,
          recipientName: invitation.portalAccount.ownerName ?? invitation.onboarding.client?.firstName ?? '',
          signInUrl: `${deps.publicBaseUrl}/portal/${invitation.organization.slug}/login`,
        },
      });
    },
  };
}
