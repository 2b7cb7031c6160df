import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../db/client';
import type { OnboardingStatus } from '../domain/onboarding-status';

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
  await tx.onboardingEvent.createMany({
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
    await tx.onboarding.update({ where: { id: progress.onboardingId }, data: { status: progress.status } });
  }
}

export function createOnboardingProgressActivities({ db }: { db: Db }) {
  return {
    /** Records a step that has no database effect of its own (expiry, failure...). */
    async recordOnboardingProgress(progress: OnboardingProgress): Promise<void> {
      await db.$transaction((tx) => applyOnboardingProgress(tx, progress));
    },
  };
}
