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
import type { TStaffActionResponse } from '../../schemas/onboarding';
import { hasRegistered, restorePortalAccess, revokeRegisteredPortalAccess } from '../accounts/portal-access';
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
): Promise<TStaffActionResponse> {
  assertMayManageInvitations(staff);
  // Another practice's onboarding, or a colleague's client for a therapist, is a 404 like a missing one.
  const { workflowId } = await accessibleOnboarding(deps.db, staff, onboardingId, { workflowId: true });
  let state: OnboardingState;
  try {
    state = await send(deps.temporal.workflow.getHandle(workflowId));
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
  return {
    onboardingId,
    status: state.status,
    invitation: state.invitation
      ? { sequence: state.invitation.sequence, expiresAt: state.invitation.expiresAt, state: state.invitation.state }
      : null,
    portalAccountStatus: await portalAccountStatusOf(deps.db, onboardingId),
  };
}

async function portalAccountStatusOf(db: Db, onboardingId: string) {
  const onboarding = await db.onboarding.findUnique({
    where: { id: onboardingId },
    select: { client: { select: { portalAccount: { select: { status: true } } } } },
  });
  return onboarding?.client?.portalAccount?.status ?? null;
}

/** What a staff action answers when it changed the portal account and not the workflow: read back from the rows. */
async function responseFromRows(db: Db, onboardingId: string): Promise<TStaffActionResponse> {
  const onboarding = await db.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    select: { status: true, invitations: { orderBy: { sequence: 'desc' }, take: 1 } },
  });
  const [invitation] = onboarding.invitations;
  return {
    onboardingId,
    status: onboarding.status,
    invitation: invitation
      ? { sequence: invitation.sequence, expiresAt: invitation.expiresAt.toISOString(), state: invitation.status }
      : null,
    portalAccountStatus: await portalAccountStatusOf(db, onboardingId),
  };
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

/**
 * `actionId` (from the caller's Idempotency-Key, http/idempotency.ts) becomes
 * the workflow update's id: Temporal runs an update once per id, so a retried
 * action attaches to the first one, or gets its result, instead of acting again.
 */
const once = (actionId: string | undefined) => (actionId ? { updateId: actionId } : {});

export function resendInvitation(
  deps: ActOnOnboardingDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  actionId?: string,
) {
  return runUpdate(deps, staff, onboardingId, (handle) =>
    handle.executeUpdate(resendInvitationUpdate, { args: [{ staffUserId: staff.staffUserId }], ...once(actionId) }),
  );
}

/**
 * Revoke Access. Before the client registers, the workflow kills the link and
 * waits for staff to resend, change the owner or cancel; once they have
 * registered, their portal account is switched off (accounts/portal-access.ts)
 * and Restore Access switches it back on.
 */
export async function revokePortalAccess(
  deps: ActOnOnboardingDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  actionId?: string,
) {
  assertMayManageInvitations(staff);
  const { status } = await accessibleOnboarding(deps.db, staff, onboardingId, { status: true });
  if (hasRegistered(status)) {
    await revokeRegisteredPortalAccess(deps.db, staff, onboardingId);
    return responseFromRows(deps.db, onboardingId);
  }
  return runUpdate(deps, staff, onboardingId, (handle) =>
    handle.executeUpdate(revokePortalAccessUpdate, { args: [{ staffUserId: staff.staffUserId }], ...once(actionId) }),
  );
}

export async function restoreRegisteredPortalAccess(
  deps: ActOnOnboardingDeps,
  staff: StaffPrincipal,
  onboardingId: string,
) {
  await restorePortalAccess(deps.db, staff, onboardingId);
  return responseFromRows(deps.db, onboardingId);
}

export function changePortalOwner(
  deps: ActOnOnboardingDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  owner: NewPortalOwner,
  actionId?: string,
) {
  return runUpdate(deps, staff, onboardingId, (handle) =>
    handle.executeUpdate(changePortalOwnerUpdate, {
      args: [{ staffUserId: staff.staffUserId, owner }],
      ...once(actionId),
    }),
  );
}

export function cancelOnboarding(
  deps: ActOnOnboardingDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  actionId?: string,
) {
  return runUpdate(deps, staff, onboardingId, (handle) =>
    handle.executeUpdate(cancelOnboardingUpdate, { args: [{ staffUserId: staff.staffUserId }], ...once(actionId) }),
  );
}
