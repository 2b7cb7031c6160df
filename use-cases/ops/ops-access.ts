import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import type { OnboardingStatus } from '../../domain/onboarding-status';
import { AppError } from '../app-error';
import { accessibleOnboarding } from '../client-access-policy';
import type { StaffPrincipal } from '../staff-principal';

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
 * The onboarding an ops action is about, within the caller's reach
 * (use-cases/client-access-policy.ts: for ops and admins, their practice). Another
 * organisation's onboarding answers exactly like a missing one.
 */
export async function onboardingToOperate(
  db: Db,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<OperableOnboarding> {
  assertMayOperate(staff);
  return accessibleOnboarding(db, staff, onboardingId, { id: true, workflowId: true, status: true });
}
