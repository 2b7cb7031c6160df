import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { AppError } from '../app-error';
import type { StaffPrincipal } from '../staff-auth';

/** What the ops use cases need: the database projection, Temporal, and where the Web UI is. */
export interface OpsDeps {
  db: Db;
  temporal: Client;
  /** Base URL of the Temporal Web UI (TEMPORAL_UI_URL), for links; none when not configured. */
  temporalUiUrl?: string;
  /** For failures a bulk action reports per onboarding rather than throws. */
  logger?: Logger;
}

/**
 * Operations engineers run the flows; organisation admins operate their own
 * practice's flows too. Therapists do not: a cancel or a reset here skips the
 * workflow's own checks.
 */
export function assertMayOperate(staff: StaffPrincipal): void {
  if (staff.role !== 'OPS' && staff.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'ops API is for ops and admins', {
      publicMessage: 'Only operations staff and organisation administrators can use the ops API.',
    });
  }
}

export interface OperableOnboarding {
  id: string;
  workflowId: string;
  status: OnboardingStatus;
}

/**
 * The onboarding an ops action is about, in the caller's organisation. Another
 * organisation's onboarding answers exactly like a missing one.
 */
export async function onboardingToOperate(
  db: Db,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<OperableOnboarding> {
  assertMayOperate(staff);
  const onboarding = await db.onboarding.findUnique({
    where: { id: onboardingId },
    select: { id: true, workflowId: true, status: true, organizationId: true },
  });
  if (!onboarding || onboarding.organizationId !== staff.organizationId) {
    throw new AppError('NOT_FOUND', 'onboarding not found in caller organisation');
  }
  return { id: onboarding.id, workflowId: onboarding.workflowId, status: onboarding.status };
}
