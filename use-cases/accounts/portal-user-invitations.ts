/**
 * A contact's invitation to a client's portal, from the staff side (issue 15):
 * start it when the contact is added, resend it, revoke it, end it when the
 * contact is removed. Each contact's invitation is a portalUserInvitation
 * workflow (workflows/portal-user-invitation.ts) keyed by their access row;
 * resend and revoke are its updates, refused synchronously with a reason (a
 * 409 with that reason) as the client's own invitation actions are.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/client';
import type { Logger } from '../../observability/logger';
import {
  portalUserInvitation,
  portalUserInvitationWorkflowId,
  portalUserRemovedSignal,
  resendPortalUserInvitationUpdate,
  revokePortalUserInvitationUpdate,
  type PortalUserInvitationState,
} from '../../workflows/portal-user-invitation';
import { AppError } from '../app-error';

export interface PortalUserInvitationDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  logger?: Logger;
}

/**
 * Starts the contact's invitation flow, which sends the first link. Starting
 * it twice finds the running one; a flow that already finished (registered,
 * removed) is not run again.
 */
export async function startPortalUserInvitation(
  deps: Pick<PortalUserInvitationDeps, 'temporal' | 'taskQueue'>,
  invitation: { accessId: string; organizationId: string; requestedBy: string | null },
): Promise<void> {
  try {
    await deps.temporal.workflow.start(portalUserInvitation, {
      workflowId: portalUserInvitationWorkflowId(invitation.accessId),
      taskQueue: deps.taskQueue,
      args: [invitation],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw new AppError('UNAVAILABLE', 'could not start portal user invitation', {
      cause: error,
      publicMessage: 'The invitation could not be sent right now. Try Resend invitation in a moment.',
    });
  }
}

/** Tells the contact's flow they were removed: nothing more is sent to them. Best effort: a gone flow is fine. */
export async function endPortalUserInvitation(
  deps: Pick<PortalUserInvitationDeps, 'temporal' | 'logger'>,
  accessId: string,
) {
  try {
    await deps.temporal.workflow.getHandle(portalUserInvitationWorkflowId(accessId)).signal(portalUserRemovedSignal);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError || isCompleted(error)) return;
    // The access row is gone, so the flow's next step finds no one to write to and ends there.
    deps.logger?.warn({ err: error, accessId }, 'could not tell the portal user invitation it was removed');
  }
}

function isCompleted(error: unknown): boolean {
  return error instanceof Error && /workflow execution already completed/i.test(error.message);
}

type Send = (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<PortalUserInvitationState>;

async function runUpdate(deps: PortalUserInvitationDeps, accessId: string, send: Send): Promise<void> {
  try {
    await send(deps.temporal.workflow.getHandle(portalUserInvitationWorkflowId(accessId)));
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      throw new AppError('CONFLICT', `update refused: ${error.cause.type ?? 'unknown'}`, {
        publicMessage: error.cause.message,
      });
    }
    if (error instanceof WorkflowNotFoundError || isCompleted(error)) {
      throw new AppError('CONFLICT', 'portal user invitation finished', {
        publicMessage: 'This portal user has already registered.',
      });
    }
    throw new AppError('UNAVAILABLE', 'portal user invitation action failed', { cause: error });
  }
}

/** The access row staff act on; the caller has checked the onboarding is within reach. */
async function contactAccess(db: Db, clientId: string, portalUserId: string) {
  const access = await db.clientPortalAccess.findUnique({
    where: { clientId_portalUserId: { clientId, portalUserId } },
    select: { id: true, isPrimary: true, status: true, organizationId: true },
  });
  if (!access) throw new AppError('NOT_FOUND', 'no such portal user of this client');
  if (access.isPrimary) {
    throw new AppError('CONFLICT', 'primary portal user', {
      publicMessage: 'The primary user’s invitation is the client’s: use Resend invite or Revoke Access on the client.',
    });
  }
  return access;
}

/**
 * Sends the contact a new link; the previous one stops working. A contact
 * whose flow never started (added before invitations were per user, or while
 * Temporal was down) gets their first link now.
 */
export async function resendContactInvitation(
  deps: PortalUserInvitationDeps,
  staffUserId: string,
  target: { clientId: string; portalUserId: string },
): Promise<void> {
  const access = await contactAccess(deps.db, target.clientId, target.portalUserId);
  if (access.status === 'ACTIVE') {
    throw new AppError('CONFLICT', 'portal user registered', {
      publicMessage: 'This portal user has already registered.',
    });
  }
  const hasFlow = await deps.db.portalUserInvitation.count({ where: { clientPortalAccessId: access.id } });
  if (!hasFlow) {
    await startPortalUserInvitation(deps, {
      accessId: access.id,
      organizationId: access.organizationId,
      requestedBy: staffUserId,
    });
    return;
  }
  await runUpdate(deps, access.id, (handle) =>
    handle.executeUpdate(resendPortalUserInvitationUpdate, { args: [{ staffUserId }] }),
  );
}

/** Revokes the contact's invitation: their link dies; Resend invitation gives them a new one. */
export async function revokeContactInvitation(
  deps: PortalUserInvitationDeps,
  staffUserId: string,
  target: { clientId: string; portalUserId: string },
): Promise<void> {
  const access = await contactAccess(deps.db, target.clientId, target.portalUserId);
  await runUpdate(deps, access.id, (handle) =>
    handle.executeUpdate(revokePortalUserInvitationUpdate, { args: [{ staffUserId }] }),
  );
}
