import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/client';
import {
  cancelOnboardingUpdate,
  changePortalOwnerUpdate,
  resendInvitationUpdate,
  revokePortalAccessUpdate,
  type NewPortalOwner,
  type OnboardingState,
} from '../../workflows/client-onboarding';
import { AppError } from '../app-error';
import { accessibleOnboarding } from '../client-access-policy';
import { assertMayManageInvitations, type StaffPrincipal } from '../staff-principal';

export interface ActOnOnboardingDeps {
  db: Db;
  temporal: Client;
}

/** Business refusals that mean "the email is someone else's", told apart from plain state conflicts. */
const EMAIL_IN_USE = 'EmailInUse';

/**
 * Runs a staff action as a workflow update. The workflow's validator refuses
 * a wrong action synchronously with a reason, which becomes a 409 with that
 * reason as its message.
 */
async function runUpdate(
  deps: ActOnOnboardingDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<OnboardingState>,
): Promise<OnboardingState> {
  assertMayManageInvitations(staff);
  // Another practice's onboarding, or a colleague's client for a therapist, is a 404 like a missing one.
  const { workflowId } = await accessibleOnboarding(deps.db, staff, onboardingId, { workflowId: true });
  try {
    return await send(deps.temporal.workflow.getHandle(workflowId));
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      const code = error.cause.type === EMAIL_IN_USE ? 'EMAIL_IN_USE' : 'CONFLICT';
      throw new AppError(code, `update refused: ${error.cause.type ?? 'unknown'}`, {
        publicMessage: error.cause.message,
      });
    }
    if (error instanceof WorkflowNotFoundError || isCompletedWorkflowError(error)) {
      throw onboardingFinishedError('workflow not running');
    }
    throw new AppError('UNAVAILABLE', 'staff action failed', { cause: error });
  }
}

/**
 * The one answer to an action on a finished onboarding, for staff actions
 * (whose workflow has closed) and ops actions (domain/onboarding-status.ts
 * `isOnboardingFinished`) alike: 409 CONFLICT.
 */
export function onboardingFinishedError(detail: string): AppError {
  return new AppError('CONFLICT', detail, {
    publicMessage: 'This onboarding has finished; there is nothing left to act on.',
  });
}

function isCompletedWorkflowError(error: unknown): boolean {
  return error instanceof Error && /workflow execution already completed/i.test(error.message);
}

export function resendInvitation(deps: ActOnOnboardingDeps, staff: StaffPrincipal, onboardingId: string) {
  return runUpdate(deps, staff, onboardingId, (handle) =>
    handle.executeUpdate(resendInvitationUpdate, { args: [{ staffUserId: staff.staffUserId }] }),
  );
}

export function revokePortalAccess(deps: ActOnOnboardingDeps, staff: StaffPrincipal, onboardingId: string) {
  return runUpdate(deps, staff, onboardingId, (handle) =>
    handle.executeUpdate(revokePortalAccessUpdate, { args: [{ staffUserId: staff.staffUserId }] }),
  );
}

export function changePortalOwner(
  deps: ActOnOnboardingDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  owner: NewPortalOwner,
) {
  return runUpdate(deps, staff, onboardingId, (handle) =>
    handle.executeUpdate(changePortalOwnerUpdate, { args: [{ staffUserId: staff.staffUserId, owner }] }),
  );
}

export function cancelOnboarding(deps: ActOnOnboardingDeps, staff: StaffPrincipal, onboardingId: string) {
  return runUpdate(deps, staff, onboardingId, (handle) =>
    handle.executeUpdate(cancelOnboardingUpdate, { args: [{ staffUserId: staff.staffUserId }] }),
  );
}
