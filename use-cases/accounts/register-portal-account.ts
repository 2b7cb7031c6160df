import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Prisma } from '../../generated/prisma/client';
import { namesMatch } from '../../domain/name-match';
import type { Logger } from '../../observability/logger';
import { applyOnboardingProgress } from '../../activities/onboarding-progress';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { hashPassword, passwordProblem } from '../../security/passwords';
import { hashToken, TOKEN_PATTERN } from '../../security/tokens';
import { clientRegisteredSignal } from '../../workflows/client-onboarding';
import type { TPracticeContact } from '../../schemas/practice-settings';
import { practiceContactOf } from '../practice/practice-contact';

/** Wrong last-name / date-of-birth attempts before the link locks (the practice then sends a new one). */
export const MAX_REGISTRATION_ATTEMPTS = 5;

export interface RegistrationLink {
  practiceName: string;
  brandColor: string | null;
  /** For the sign-in link: portals are per organisation. */
  organizationSlug: string;
  /** How to reach the practice: an unusable link tells the client whom to ask for a new one. */
  contact: TPracticeContact;
}

/** What the registration page may show. Nothing here reveals anything about the chart. */
export type LinkState =
  | { usable: true; link: RegistrationLink }
  | { usable: false; reason: 'used'; link: RegistrationLink }
  /** link: the practice of an expired, revoked or locked invitation; null for a link we never issued. */
  | { usable: false; reason: 'invalid'; link: RegistrationLink | null };

export type RegistrationResult =
  | { outcome: 'registered'; link: RegistrationLink; account: RegisteredAccount }
  /** attemptsLeft: wrong tries still allowed before the link locks, which the page tells the client. */
  | { outcome: 'mismatch'; link: RegistrationLink; attemptsLeft: number }
  | { outcome: 'weak-password'; link: RegistrationLink; problem: string }
  | { outcome: 'locked'; link: RegistrationLink }
  | { outcome: 'invalid'; link: RegistrationLink | null }
  | { outcome: 'used'; link: RegistrationLink };

/** Who just registered: enough to sign them straight in and to tell them which email is their login. */
export interface RegisteredAccount {
  portalAccountId: string;
  organizationId: string;
  clientId: string;
  email: string;
}

export interface RegistrationForm {
  lastName: string;
  /** YYYY-MM-DD */
  dateOfBirth: string;
  password: string;
  passwordConfirmation: string;
}

async function findInvitation(db: Db, token: string) {
  if (!TOKEN_PATTERN.test(token)) return null;
  const invitation = await db.invitation.findUnique({
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

/**
 * Whether a registration link can be used. Expired, revoked, superseded and
 * locked links all look the same ("ask <practice> for a new invitation", with
 * how to reach it: the invitation email named the practice already); a link
 * we never issued names none. A used one says so, which tells the holder of
 * the link only that they (or someone with their email) already registered.
 */
export async function inspectRegistrationLink(db: Db, token: string): Promise<LinkState> {
  const invitation = await findInvitation(db, token);
  if (invitation?.status === 'USED') return { usable: false, reason: 'used', link: invitation.link };
  if (!invitation || invitation.status !== 'PENDING' || invitation.expiresAt.getTime() <= Date.now()) {
    return { usable: false, reason: 'invalid', link: invitation?.link ?? null };
  }
  return { usable: true, link: invitation.link };
}

/**
 * Registers the client (or guardian) through their link: last name and date
 * of birth must match the chart, the password must be strong. One database
 * transaction decides against everything else that may touch the invitation
 * (a double submit, the expiry timer, a staff resend); the workflow is told
 * afterwards, and if that signal is lost its expiry step finds the
 * registration in the database anyway.
 */
export async function registerPortalAccount(
  deps: { db: Db; temporal: Client; logger: Logger },
  token: string,
  form: RegistrationForm,
  origin: AuditEntry['origin'] = {},
): Promise<RegistrationResult> {
  const { db } = deps;
  const found = await findInvitation(db, token);
  if (!found) return { outcome: 'invalid', link: null };
  const { link } = found;

  // Hash before the transaction: argon2id takes tens of milliseconds and must not hold row locks.
  const client = await db.portalAccount.findUniqueOrThrow({
    where: { id: found.portalAccountId },
    select: { email: true, clientId: true, client: { select: { firstName: true, lastName: true } } },
  });
  const problem =
    form.password !== form.passwordConfirmation
      ? 'The two passwords do not match.'
      : passwordProblem(form.password, [client.email, client.client.firstName, client.client.lastName]);
  const passwordHash = problem ? null : await hashPassword(form.password);

  const decide = async (tx: Prisma.TransactionClient): Promise<RegistrationResult & { workflowId?: string }> => {
    // Lock the invitation row: concurrent submissions of this link queue here.
    await tx.$queryRaw`SELECT id FROM invitation WHERE id = ${found.id}::uuid FOR UPDATE`;
    const invitation = await tx.invitation.findUniqueOrThrow({
      where: { id: found.id },
      include: {
        portalAccount: { include: { client: { select: { lastName: true, dateOfBirth: true } } } },
        onboarding: { select: { workflowId: true } },
      },
    });
    if (invitation.status === 'USED') return { outcome: 'used', link };
    if (invitation.status !== 'PENDING' || invitation.expiresAt.getTime() <= Date.now()) {
      return { outcome: 'invalid', link };
    }

    const chart = invitation.portalAccount.client;
    const identityMatches =
      namesMatch(form.lastName, chart.lastName) && form.dateOfBirth === chart.dateOfBirth.toISOString().slice(0, 10);
    if (!identityMatches) {
      const attempts = invitation.failedAttempts + 1;
      const locked = attempts >= MAX_REGISTRATION_ATTEMPTS;
      await tx.invitation.update({
        where: { id: invitation.id },
        data: { failedAttempts: attempts, ...(locked ? { status: 'LOCKED' } : {}) },
      });
      if (locked) {
        await applyOnboardingProgress(tx, {
          onboardingId: invitation.onboardingId,
          event: {
            key: `invitation-locked:${invitation.sequence}`,
            type: 'invitation.locked',
            detail: { sequence: invitation.sequence, attempts },
          },
        });
        return { outcome: 'locked', link };
      }
      return { outcome: 'mismatch', link, attemptsLeft: MAX_REGISTRATION_ATTEMPTS - attempts };
    }
    if (problem || !passwordHash) return { outcome: 'weak-password', link, problem: problem ?? 'Choose a password.' };

    const now = new Date();
    await tx.invitation.update({ where: { id: invitation.id }, data: { status: 'USED', usedAt: now } });
    await tx.portalAccount.update({
      where: { id: invitation.portalAccountId },
      data: { status: 'ACTIVE', passwordHash, registeredAt: now, failedLogins: 0, lockedUntil: null },
    });
    await applyOnboardingProgress(tx, {
      onboardingId: invitation.onboardingId,
      status: 'REGISTERED',
      event: {
        key: `registered:${invitation.sequence}`,
        type: 'portal.registered',
        detail: { sequence: invitation.sequence },
      },
    });
    return {
      outcome: 'registered',
      link,
      account: {
        portalAccountId: invitation.portalAccountId,
        organizationId: found.organizationId,
        clientId: client.clientId,
        email: client.email,
      },
      workflowId: invitation.onboarding.workflowId,
    };
  };

  const result = await db.$transaction(async (tx) => {
    const decided = await decide(tx);
    // Identity checks against the chart are PHI access: each attempt is on the trail. In the same transaction,
    // so a crash or a database outage between the two can never leave a registration without its audit
    // (found by the chaos harness, issue 21).
    await recordAudit(tx, {
      organizationId: found.organizationId,
      actor: { type: 'portal_user', id: found.portalAccountId },
      action: 'portal.register',
      onboardingId: found.onboardingId,
      clientId: client.clientId,
      outcome: decided.outcome === 'registered' ? 'success' : decided.outcome === 'locked' ? 'denied' : 'refused',
      origin,
      detail: { result: decided.outcome },
    });
    return decided;
  });

  if (result.outcome === 'registered' && result.workflowId) {
    try {
      await deps.temporal.workflow
        .getHandle(result.workflowId)
        .signal(clientRegisteredSignal, { invitationId: found.id });
    } catch (error) {
      // The registration stands; the workflow learns of it at its expiry step.
      deps.logger.warn({ err: error, workflowId: result.workflowId }, 'could not signal registration');
    }
  }
  const { workflowId: _workflowId, ...outcome } = result;
  return outcome;
}
