import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import { isOnboardingFinished, type OnboardingStatus } from '../../domain/onboarding-status';
import { AppError } from '../app-error';
import { accessibleOnboarding } from '../client-access-policy';
import type { StaffPrincipal } from '../staff-principal';
import { onboardingFinishedError } from '../onboarding/act-on-onboarding';

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

export type OpsAction = 'cancel' | 'terminate' | 'reset' | 'retry';

/**
 * Whether ops may act on an onboarding in its current status, checked before
 * Temporal is asked for anything. A finished onboarding (COMPLETE or
 * CANCELLED, the rule staff actions follow too) takes no action at all: a
 * reset would start a new run that registers the client again or reopens a
 * cancelled flow. A FAILED one is reset only when the operator says `force`
 * (the audit entry and the timeline record it); retry, made for failed
 * flows, needs no force.
 */
export function assertOpsMayAct(onboarding: OperableOnboarding, action: OpsAction, force = false): void {
  if (isOnboardingFinished(onboarding.status)) {
    throw onboardingFinishedError(`ops ${action} of a ${onboarding.status} onboarding`);
  }
  if (action === 'reset' && onboarding.status === 'FAILED' && !force) {
    throw new AppError('CONFLICT', 'ops reset of a FAILED onboarding without force', {
      publicMessage:
        'This onboarding failed. Use retry to run it again from the step that failed, or reset it with "force": true.',
    });
  }
}
