import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import type { OnboardingStatus } from '../domain/onboarding-status';
import { statusEntered } from '../observability/status-transitions';

export interface OnboardingProgress {
  onboardingId: string;
  /** New status of the onboarding, if this step changes it. */
  status?: OnboardingStatus;
  /** A timeline entry. Its key is unique per onboarding, so a retried step records it once. */
  event: {
    key: string;
    type: string;
    /** Ids and counts only: the timeline is shown widely and holds no PHI. */
    detail?: Record<string, string | number | boolean | null>;
  };
}

/**
 * Writes a step's status and timeline entry inside the caller's transaction,
 * so the projection changes together with the step's own effect or not at all.
 */
export async function applyOnboardingProgress(tx: Prisma.TransactionClient, progress: OnboardingProgress) {
  const recorded = await tx.onboardingEvent.createMany({
    data: [
      {
        onboardingId: progress.onboardingId,
        key: progress.event.key,
        type: progress.event.type,
        detail: progress.event.detail ?? {},
      },
    ],
    skipDuplicates: true,
  });
  if (progress.status) {
    const status =
      progress.status === 'REGISTERED' ? await afterRegistration(tx, progress.onboardingId) : progress.status;
    await writeStatus(tx, progress.onboardingId, status, { touch: true });
  } else if (recorded.count > 0) {
    // "Updated" on the dashboard is the latest activity, and a signature or a payment is activity
    // even when the status stays: one indexed column keeps sorting by it cheap (bench/dashboard.ts).
    await tx.onboarding.update({ where: { id: progress.onboardingId }, data: { updatedAt: new Date() } });
  }
}

/**
 * Sets the status and counts the transition (once committed) only if it
 * really changes: the condition is checked again under the row lock, so a
 * retried step or two racing transactions count it once. `touch` keeps
 * updatedAt moving on a step that writes the status it already had.
 */
async function writeStatus(
  tx: Prisma.TransactionClient,
  onboardingId: string,
  status: OnboardingStatus,
  { touch }: { touch: boolean },
): Promise<void> {
  const changed = await tx.onboarding.updateMany({
    where: { id: onboardingId, status: { not: status } },
    data: { status },
  });
  if (changed.count > 0) statusEntered(status);
  else if (touch) await tx.onboarding.update({ where: { id: onboardingId }, data: { status } });
}

/** Where a registered client stands: forms still open, all forms signed, or simply registered. */
/**
 * A registration and a form request opening at the same moment each read the
 * other's table before the other committed, and the status stuck at
 * REGISTERED with forms outstanding. Both take the onboarding row's lock
 * first, so the second waits and then reads what the first committed.
 */
async function lockOnboarding(tx: Prisma.TransactionClient, onboardingId: string): Promise<void> {
  // NO KEY UPDATE, not UPDATE: rows these transactions insert (events, form requests) already hold a
  // KEY SHARE lock on the onboarding through their foreign key, and UPDATE would deadlock with it.
  await tx.$queryRaw`SELECT id FROM onboarding WHERE id = ${onboardingId}::uuid FOR NO KEY UPDATE`;
}

async function afterRegistration(tx: Prisma.TransactionClient, onboardingId: string): Promise<OnboardingStatus> {
  await lockOnboarding(tx, onboardingId);
  const requests = await tx.formRequest.groupBy({
    by: ['status'],
    where: { onboardingId, status: { in: ['OPEN', 'COMPLETED'] } },
    _count: true,
  });
  if (requests.some((group) => group.status === 'OPEN')) return 'FORMS_OUTSTANDING';
  if (requests.some((group) => group.status === 'COMPLETED')) return 'COMPLETE';
  return 'REGISTERED';
}

/**
 * Re-derives a registered client's status after a form request opened,
 * completed or was cancelled. Before registration the invitation's status
 * (Invited, Expired…) is what staff need to see, so it is left alone.
 */
export async function refreshFormsStatus(
  tx: Prisma.TransactionClient,
  onboardingId: string,
): Promise<OnboardingStatus> {
  await lockOnboarding(tx, onboardingId);
  const onboarding = await tx.onboarding.findUniqueOrThrow({ where: { id: onboardingId }, select: { status: true } });
  if (!['REGISTERED', 'FORMS_OUTSTANDING', 'COMPLETE'].includes(onboarding.status)) return onboarding.status;
  const status = await afterRegistration(tx, onboardingId);
  if (status !== onboarding.status) await writeStatus(tx, onboardingId, status, { touch: false });
  return status;
}

export function createOnboardingProgressActivities({ db }: { db: Db }) {
  return {
    /** Records a step that has no database effect of its own (expiry, failure...). */
    async recordOnboardingProgress(progress: OnboardingProgress): Promise<void> {
      await db.$transaction((tx) => applyOnboardingProgress(tx, progress));
    },
  };
}
