/**
 * How ops actions show in the onboarding's database projection. The workflow
 * records its own progress, but a cancelled or terminated workflow records
 * nothing more (a cancelled one only stops; a terminated one runs no code at
 * all), and a reset run does not know the projection says FAILED. So the ops
 * use case writes these itself, with a timeline entry saying who did it.
 */
import { applyOnboardingProgress } from '../../activities/onboarding-progress';
import type { Db } from '../../db/client';
import { isOnboardingFinished, type OnboardingStatus } from '../../domain/onboarding-status';

type ClosingEvent = 'ops.cancelled' | 'ops.terminated';
type ReopeningEvent = 'ops.reset' | 'ops.retried';

/**
 * Marks an onboarding CANCELLED because ops stopped its workflow. Both cancel
 * and terminate end as CANCELLED, not FAILED: FAILED means "an engineer must
 * look at this", and an engineer just did. The timeline type tells them apart.
 * Like the staff cancel, the client's pending links stop working, so nobody
 * registers into an onboarding that no longer runs.
 */
export async function recordOpsClosed(
  db: Db,
  closing: { onboardingId: string; event: ClosingEvent; staffUserId: string; runId: string | null },
): Promise<OnboardingStatus> {
  return db.$transaction(async (tx): Promise<OnboardingStatus> => {
    const before = await tx.onboarding.findUniqueOrThrow({
      where: { id: closing.onboardingId },
      select: { status: true },
    });
    const event = {
      // One entry per run: cancelling a run twice is one event, a later run's cancel is another.
      key: `${closing.event}:${closing.runId ?? 'none'}`,
      type: closing.event,
      detail: { staffUserId: closing.staffUserId, runId: closing.runId },
    };
    if (isOnboardingFinished(before.status)) {
      // It finished between the ops check and Temporal's answer: the run was stopped, but
      // a COMPLETE onboarding stays COMPLETE (and a CANCELLED one CANCELLED).
      await applyOnboardingProgress(tx, { onboardingId: closing.onboardingId, event });
      return before.status;
    }
    await tx.invitation.updateMany({
      where: { onboardingId: closing.onboardingId, status: { in: ['PENDING', 'LOCKED'] } },
      data: { status: 'REVOKED' },
    });
    const onboarding = await tx.onboarding.findUniqueOrThrow({
      where: { id: closing.onboardingId },
      select: { clientId: true },
    });
    if (onboarding.clientId) {
      await tx.portalAccount.updateMany({
        where: { clientId: onboarding.clientId, status: 'INVITED' },
        data: { status: 'REVOKED' },
      });
    }
    await applyOnboardingProgress(tx, { onboardingId: closing.onboardingId, status: 'CANCELLED', event });
    const { status: written } = await tx.onboarding.findUniqueOrThrow({
      where: { id: closing.onboardingId },
      select: { status: true },
    });
    return written;
  });
}

/**
 * After a reset or retry started a new run: the status the onboarding's own
 * facts imply, as the workflow's steps would have written them (no chart yet,
 * chart created, the newest invitation's state, registered and its forms).
 * The new run then moves it on as usual.
 */
export async function recordOpsReopened(
  db: Db,
  reopening: {
    onboardingId: string;
    event: ReopeningEvent;
    staffUserId: string;
    previousRunId: string;
    runId: string;
    eventId: number;
    /** A reset of a FAILED onboarding the operator forced. */
    forced?: boolean;
  },
): Promise<OnboardingStatus> {
  return db.$transaction(async (tx) => {
    const onboarding = await tx.onboarding.findUniqueOrThrow({
      where: { id: reopening.onboardingId },
      select: {
        clientId: true,
        client: { select: { portalAccount: { select: { status: true } } } },
        invitations: { orderBy: { sequence: 'desc' }, take: 1, select: { status: true } },
      },
    });
    const status = impliedStatus(
      onboarding.clientId !== null,
      onboarding.client?.portalAccount?.status ?? null,
      onboarding.invitations[0]?.status ?? null,
    );
    await applyOnboardingProgress(tx, {
      onboardingId: reopening.onboardingId,
      // REGISTERED is refined to FORMS_OUTSTANDING or COMPLETE from the form requests.
      status,
      event: {
        key: `${reopening.event}:${reopening.runId}`,
        type: reopening.event,
        detail: {
          staffUserId: reopening.staffUserId,
          previousRunId: reopening.previousRunId,
          runId: reopening.runId,
          eventId: reopening.eventId,
          ...(reopening.forced ? { forced: true } : {}),
        },
      },
    });
    const { status: written } = await tx.onboarding.findUniqueOrThrow({
      where: { id: reopening.onboardingId },
      select: { status: true },
    });
    return written;
  });
}

/** The status an onboarding's facts imply (exported for its unit test). */
export function impliedStatus(
  chartCreated: boolean,
  portalAccount: 'INVITED' | 'ACTIVE' | 'REVOKED' | null,
  newestInvitation: 'PENDING' | 'USED' | 'EXPIRED' | 'REVOKED' | 'SUPERSEDED' | 'LOCKED' | null,
): OnboardingStatus {
  if (!chartCreated) return 'PENDING';
  if (portalAccount === 'ACTIVE' || newestInvitation === 'USED') return 'REGISTERED';
  switch (newestInvitation) {
    case null:
      return 'CHART_CREATED';
    case 'PENDING':
    case 'LOCKED':
    case 'SUPERSEDED':
      return 'INVITED';
    case 'EXPIRED':
      return 'EXPIRED';
    case 'REVOKED':
      return 'REVOKED';
  }
}
