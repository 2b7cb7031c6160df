/**
 * A contact registers through their own invitation (issue 15): the same rules
 * as the client's registration (register-portal-account.ts). They confirm the
 * CLIENT's last name and date of birth (seed 001: whoever opens a client's
 * portal proves they know whose it is), five wrong tries lock the link, the
 * password must be strong, and one transaction with the invitation row locked
 * decides against the expiry timer, a resend or a double submit. Their login
 * is the person's (portal_user): a person who already chose a password
 * through another client's invitation confirms with it instead of choosing
 * a second one.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { namesMatch } from '../../domain/name-match';
import type { Logger } from '../../observability/logger';
import { applyOnboardingProgress } from '../../activities/onboarding-progress';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { hashPassword, passwordProblem, verifyPassword } from '../../security/passwords';
import { hashToken, TOKEN_PATTERN } from '../../security/tokens';
import { portalUserInvitationWorkflowId, portalUserRegisteredSignal } from '../../workflows/portal-user-invitation';
import { practiceContactOf } from '../practice/practice-contact';
import {
  MAX_REGISTRATION_ATTEMPTS,
  type LinkState,
  type RegistrationForm,
  type RegistrationLink,
} from './registration-link';

export type ContactRegistrationResult =
  | { outcome: 'registered-contact'; link: RegistrationLink; email: string }
  | { outcome: 'mismatch'; link: RegistrationLink; attemptsLeft: number }
  | { outcome: 'weak-password'; link: RegistrationLink; problem: string }
  | { outcome: 'locked'; link: RegistrationLink }
  | { outcome: 'invalid'; link: RegistrationLink | null }
  | { outcome: 'used'; link: RegistrationLink };

/** The contact invitation behind a link, or null when the link is not one. */
export async function findContactInvitation(db: Db, token: string) {
  if (!TOKEN_PATTERN.test(token)) return null;
  const invitation = await db.portalUserInvitation.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { organization: { select: { id: true, name: true, brandColor: true, slug: true } } },
  });
  if (!invitation) return null;
  const { organization } = invitation;
  const link: RegistrationLink = {
    practiceName: organization.name,
    brandColor: organization.brandColor,
    organizationSlug: organization.slug,
    contact: await practiceContactOf(db, organization.id),
  };
  return { ...invitation, link };
}

export function contactLinkState(
  invitation: NonNullable<Awaited<ReturnType<typeof findContactInvitation>>>,
): LinkState {
  if (invitation.status === 'USED') return { usable: false, reason: 'used', link: invitation.link };
  if (invitation.status !== 'PENDING' || invitation.expiresAt.getTime() <= Date.now()) {
    return { usable: false, reason: 'invalid', link: invitation.link };
  }
  return { usable: true, link: invitation.link };
}

export async function registerPortalUser(
  deps: { db: Db; temporal: Client; logger: Logger },
  found: NonNullable<Awaited<ReturnType<typeof findContactInvitation>>>,
  form: RegistrationForm,
  origin: AuditEntry['origin'] = {},
): Promise<ContactRegistrationResult> {
  const { db } = deps;
  const { link } = found;
  const person = await db.clientPortalAccess.findUniqueOrThrow({
    where: { id: found.clientPortalAccessId },
    select: {
      clientId: true,
      portalUser: { select: { id: true, email: true, name: true, passwordHash: true } },
      client: { select: { firstName: true, lastName: true } },
    },
  });
  const { portalUser } = person;
  // Hash (or check) before the transaction: argon2id takes tens of milliseconds and must not hold row locks.
  let problem: string | null;
  let passwordHash: string | null = null;
  if (portalUser.passwordHash) {
    problem = (await verifyPassword(portalUser.passwordHash, form.password))
      ? null
      : 'You already have a portal password with this practice: enter that password to add this portal to it.';
    passwordHash = problem ? null : portalUser.passwordHash;
  } else {
    problem =
      form.password !== form.passwordConfirmation
        ? 'The two passwords do not match.'
        : passwordProblem(form.password, [portalUser.email, portalUser.name ?? '', person.client.lastName]);
    passwordHash = problem ? null : await hashPassword(form.password);
  }

  const decide = async (tx: Prisma.TransactionClient): Promise<ContactRegistrationResult> => {
    await tx.$queryRaw`SELECT id FROM portal_user_invitation WHERE id = ${found.id}::uuid FOR UPDATE`;
    const invitation = await tx.portalUserInvitation.findUniqueOrThrow({
      where: { id: found.id },
      include: { access: { include: { client: { select: { lastName: true, dateOfBirth: true } } } } },
    });
    if (invitation.status === 'USED') return { outcome: 'used', link };
    if (invitation.status !== 'PENDING' || invitation.expiresAt.getTime() <= Date.now()) {
      return { outcome: 'invalid', link };
    }
    const chart = invitation.access.client;
    const identityMatches =
      namesMatch(form.lastName, chart.lastName) && form.dateOfBirth === chart.dateOfBirth.toISOString().slice(0, 10);
    if (!identityMatches) {
      const attempts = invitation.failedAttempts + 1;
      const locked = attempts >= MAX_REGISTRATION_ATTEMPTS;
      await tx.portalUserInvitation.update({
        where: { id: invitation.id },
        data: { failedAttempts: attempts, ...(locked ? { status: 'LOCKED' } : {}) },
      });
      if (locked) {
        await applyOnboardingProgress(tx, {
          onboardingId: invitation.onboardingId,
          event: {
            key: `portal-user-invitation-locked:${invitation.clientPortalAccessId}:${invitation.sequence}`,
            type: 'portal_user.invitation_locked',
            detail: { portalUserId: portalUser.id, sequence: invitation.sequence, attempts },
          },
        });
        return { outcome: 'locked', link };
      }
      return { outcome: 'mismatch', link, attemptsLeft: MAX_REGISTRATION_ATTEMPTS - attempts };
    }
    if (problem || !passwordHash) return { outcome: 'weak-password', link, problem: problem ?? 'Choose a password.' };

    const now = new Date();
    await tx.portalUserInvitation.update({ where: { id: invitation.id }, data: { status: 'USED', usedAt: now } });
    await tx.clientPortalAccess.update({ where: { id: invitation.clientPortalAccessId }, data: { status: 'ACTIVE' } });
    await tx.portalUser.update({
      where: { id: portalUser.id },
      data: { passwordHash, registeredAt: portalUser.passwordHash ? undefined : now },
    });
    await applyOnboardingProgress(tx, {
      onboardingId: invitation.onboardingId,
      event: {
        key: `portal-user-registered:${invitation.clientPortalAccessId}`,
        type: 'portal_user.registered',
        detail: { portalUserId: portalUser.id, sequence: invitation.sequence },
      },
    });
    return { outcome: 'registered-contact', link, email: portalUser.email };
  };

  const result = await db.$transaction(async (tx) => {
    const decided = await decide(tx);
    // Checking the client's details is PHI access: every attempt is on the trail, in the same transaction.
    await recordAudit(tx, {
      organizationId: found.organizationId,
      actor: { type: 'portal_user', id: portalUser.id },
      action: 'portal.register',
      onboardingId: found.onboardingId,
      clientId: person.clientId,
      outcome:
        decided.outcome === 'registered-contact' ? 'success' : decided.outcome === 'locked' ? 'denied' : 'refused',
      origin,
      detail: { result: decided.outcome, contact: true },
    });
    return decided;
  });

  if (result.outcome === 'registered-contact') {
    const workflowId = portalUserInvitationWorkflowId(found.clientPortalAccessId);
    try {
      await deps.temporal.workflow.getHandle(workflowId).signal(portalUserRegisteredSignal, { invitationId: found.id });
    } catch (error) {
      // The registration stands; the flow learns of it at its expiry step.
      deps.logger.warn({ err: error, workflowId }, 'could not signal portal user registration');
    }
  }
  return result;
}
