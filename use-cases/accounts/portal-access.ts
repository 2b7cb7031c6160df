/**
 * Revoke Access and Restore Access for a client who has already registered
 * (seed 001's "Revoke Access", for the discharged client or the wrong person
 * holding the login). Before registration, revoking is a step of the
 * onboarding workflow (it kills the invitation link and waits for staff);
 * after it, the onboarding's invitation loop is over and the portal account
 * is what is switched off, so this is a database change and not a workflow
 * update: nothing waits on a person or a clock here.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../db/client';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { AppError } from '../app-error';
import { accessibleOnboarding } from '../client-access-policy';
import { assertMayManageInvitations, type StaffPrincipal } from '../staff-principal';

/** Statuses in which the client has a working login of their own. */
const REGISTERED_STATUSES: readonly OnboardingStatus[] = ['REGISTERED', 'FORMS_OUTSTANDING', 'COMPLETE'];

export function hasRegistered(status: OnboardingStatus): boolean {
  return REGISTERED_STATUSES.includes(status);
}

type Tx = Prisma.TransactionClient;

async function registeredAccountOf(db: Db, staff: StaffPrincipal, onboardingId: string) {
  assertMayManageInvitations(staff);
  const onboarding = await accessibleOnboarding(db, staff, onboardingId, { status: true, clientId: true });
  if (!hasRegistered(onboarding.status) || !onboarding.clientId) {
    throw new AppError('CONFLICT', 'client has not registered', {
      publicMessage: 'The client has not registered yet; revoke or resend their invitation instead.',
    });
  }
  const account = await db.portalAccount.findUnique({
    where: { clientId: onboarding.clientId },
    select: { id: true, status: true },
  });
  if (!account)
    throw new AppError('CONFLICT', 'no portal account', { publicMessage: 'The client has no portal account.' });
  return account;
}

/** Timeline entries are keyed so a retried request adds one line, not two. */
async function recordEvent(tx: Tx, onboardingId: string, type: string, staffUserId: string): Promise<void> {
  const earlier = await tx.onboardingEvent.count({ where: { onboardingId, type } });
  await tx.onboardingEvent.create({
    data: { onboardingId, key: `${type}:${earlier + 1}`, type, detail: { staffUserId } },
  });
  // The dashboard's "Updated" is the onboarding's updatedAt: an access change is news.
  await tx.onboarding.update({ where: { id: onboardingId }, data: { updatedAt: new Date() } });
}

/** Sign-in stops and every open session of the client's portal ends now. */
export async function revokeRegisteredPortalAccess(
  db: Db,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<'REVOKED'> {
  const account = await registeredAccountOf(db, staff, onboardingId);
  if (account.status === 'REVOKED') {
    throw new AppError('CONFLICT', 'already revoked', { publicMessage: 'Portal access is already revoked.' });
  }
  await db.$transaction(async (tx) => {
    // The status test in the update itself, so two racing clicks record one revocation.
    const changed = await tx.portalAccount.updateMany({
      where: { id: account.id, status: 'ACTIVE' },
      data: { status: 'REVOKED' },
    });
    if (changed.count === 0) return;
    await tx.portalSession.updateMany({
      where: { portalAccountId: account.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordEvent(tx, onboardingId, 'portal.access_revoked', staff.staffUserId);
  });
  return 'REVOKED';
}

/**
 * The client signs in again with the password they chose; their old sessions
 * stay ended. Failed sign-ins are forgotten so a lockout from before does not
 * greet them.
 */
export async function restorePortalAccess(db: Db, staff: StaffPrincipal, onboardingId: string): Promise<'ACTIVE'> {
  const account = await registeredAccountOf(db, staff, onboardingId);
  if (account.status !== 'REVOKED') {
    throw new AppError('CONFLICT', 'not revoked', { publicMessage: 'The client’s portal access is not revoked.' });
  }
  await db.$transaction(async (tx) => {
    const changed = await tx.portalAccount.updateMany({
      where: { id: account.id, status: 'REVOKED' },
      data: { status: 'ACTIVE', failedLogins: 0, lockedUntil: null },
    });
    if (changed.count === 0) return;
    await recordEvent(tx, onboardingId, 'portal.access_restored', staff.staffUserId);
  });
  return 'ACTIVE';
}
