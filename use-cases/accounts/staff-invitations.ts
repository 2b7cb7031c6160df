/**
 * Staff invitations by email, from the admin's side (issue 19): invite a
 * colleague with a role and the invite permission, list the invitations,
 * resend and revoke. Each invitation is a staffInvitation workflow
 * (workflows/staff-invitation.ts) keyed by its row's random id; resend and
 * revoke are its updates, refused synchronously with a reason (a 409). An
 * email that already has an account, or a pending invitation, in the
 * practice is refused (409) before anything is written. Audited as staff.*.
 */
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowExecutionAlreadyStartedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/client';
import type { StaffInvitation } from '../../generated/prisma/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import { staffInvitationToken } from '../../activities/staff-invitations';
import type { TStaffInvitation, TStaffInvitationList, TStaffInvitationRequest } from '../../schemas/staff-invitations';
import { hashToken } from '../../security/tokens';
import {
  resendStaffInvitationUpdate,
  revokeStaffInvitationUpdate,
  staffInvitation,
  STAFF_INVITATION_TTL_MS,
  staffInvitationWorkflowId,
  type StaffInvitationState,
} from '../../workflows/staff-invitation';
import { AppError } from '../app-error';
import type { StaffPrincipal } from '../staff-principal';
import { assertMayManageStaff } from './manage-staff';

export interface StaffInvitationDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  tokenSigningKey: Buffer;
}

type Origin = AuditEntry['origin'];

function view(row: StaffInvitation): TStaffInvitation {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    // Ops never send client invitations; admins always may.
    canInvite: row.canInvite,
    status: row.status === 'PENDING' || row.status === 'USED' || row.status === 'REVOKED' ? row.status : 'EXPIRED',
    sequence: row.sequence,
    expiresAt: row.expiresAt.toISOString(),
    staffUserId: row.staffUserId,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Invites a colleague: the row (with its first link's hash), the audit entry,
 * then the workflow that emails the link. Refused with a 409, writing
 * nothing, when the email has an account or a live invitation in the practice.
 */
export async function inviteStaffMember(
  deps: StaffInvitationDeps,
  staff: StaffPrincipal,
  request: TStaffInvitationRequest,
  origin: Origin,
): Promise<TStaffInvitation> {
  assertMayManageStaff(staff);
  const canInvite = request.role === 'ADMIN' ? true : request.role === 'OPS' ? false : request.canInvite;
  const row = await deps.db.$transaction(async (tx) => {
    // Serialises two admins inviting the same address at once: the second sees the first's row.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`staff-invitation:${staff.organizationId}:${request.email}`}))`;
    const account = await tx.staffUser.findUnique({
      where: { organizationId_email: { organizationId: staff.organizationId, email: request.email } },
      select: { deactivatedAt: true },
    });
    if (account) {
      throw new AppError('CONFLICT', 'staff email taken', {
        publicMessage: account.deactivatedAt
          ? 'This email belongs to a deactivated staff account of the practice.'
          : 'This email already has an active staff account in the practice.',
      });
    }
    const pending = await tx.staffInvitation.count({
      where: { organizationId: staff.organizationId, email: request.email, status: 'PENDING' },
    });
    if (pending) {
      throw new AppError('CONFLICT', 'staff invitation pending', {
        publicMessage: 'This email already has a pending invitation: resend or revoke it instead.',
      });
    }
    const id = randomUUID();
    const created = await tx.staffInvitation.create({
      data: {
        id,
        organizationId: staff.organizationId,
        email: request.email,
        displayName: request.displayName,
        role: request.role,
        canInvite,
        sequence: 1,
        tokenHash: hashToken(staffInvitationToken(deps.tokenSigningKey, id, 1)),
        expiresAt: new Date(Date.now() + STAFF_INVITATION_TTL_MS),
        invitedById: staff.staffUserId,
      },
    });
    await recordAudit(tx, {
      organizationId: staff.organizationId,
      actor: { type: 'staff', id: staff.staffUserId },
      action: 'staff.invite',
      outcome: 'success',
      origin,
      detail: { invitationId: id, role: request.role, canInvite },
    });
    return created;
  });
  try {
    await deps.temporal.workflow.start(staffInvitation, {
      workflowId: staffInvitationWorkflowId(row.id),
      taskQueue: deps.taskQueue,
      args: [{ invitationId: row.id, organizationId: row.organizationId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
      throw new AppError('UNAVAILABLE', 'could not start staff invitation', {
        cause: error,
        publicMessage: 'The invitation is saved but its email could not be sent right now. Use Resend in a moment.',
      });
    }
  }
  return view(row);
}

/** The practice's invitations, newest first (admins). */
export async function listStaffInvitations(db: Db, staff: StaffPrincipal): Promise<TStaffInvitationList> {
  assertMayManageStaff(staff);
  const rows = await db.staffInvitation.findMany({
    where: { organizationId: staff.organizationId },
    orderBy: { createdAt: 'desc' },
    take: 200,
  });
  return { invitations: rows.map(view) };
}

async function ownInvitation(db: Db, staff: StaffPrincipal, invitationId: string): Promise<StaffInvitation> {
  const row = await db.staffInvitation.findUnique({ where: { id: invitationId } });
  if (!row || row.organizationId !== staff.organizationId) throw new AppError('NOT_FOUND', 'unknown staff invitation');
  return row;
}

function isCompleted(error: unknown): boolean {
  return error instanceof Error && /workflow execution already completed/i.test(error.message);
}

type Send = (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<StaffInvitationState>;

async function runUpdate(deps: StaffInvitationDeps, staff: StaffPrincipal, invitationId: string, send: Send) {
  assertMayManageStaff(staff);
  const row = await ownInvitation(deps.db, staff, invitationId);
  if (row.status === 'USED') {
    throw new AppError('CONFLICT', 'staff invitation accepted', {
      publicMessage: 'This invitation has already been accepted.',
    });
  }
  try {
    await send(deps.temporal.workflow.getHandle(staffInvitationWorkflowId(invitationId)));
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      throw new AppError('CONFLICT', `update refused: ${error.cause.type ?? 'unknown'}`, {
        publicMessage: error.cause.message,
      });
    }
    if (error instanceof WorkflowNotFoundError || isCompleted(error)) {
      throw new AppError('CONFLICT', 'staff invitation finished', {
        publicMessage: 'This invitation has already been accepted.',
      });
    }
    throw new AppError('UNAVAILABLE', 'staff invitation action failed', { cause: error });
  }
  return view(await deps.db.staffInvitation.findUniqueOrThrow({ where: { id: invitationId } }));
}

/** A new link and a new 7 days; the previous link stops working. */
export function resendStaffInvitation(deps: StaffInvitationDeps, staff: StaffPrincipal, invitationId: string) {
  return runUpdate(deps, staff, invitationId, (handle) =>
    handle.executeUpdate(resendStaffInvitationUpdate, { args: [{ staffUserId: staff.staffUserId }] }),
  );
}

/** The link dies now; Resend gives a new one. */
export function revokeStaffInvitation(deps: StaffInvitationDeps, staff: StaffPrincipal, invitationId: string) {
  return runUpdate(deps, staff, invitationId, (handle) =>
    handle.executeUpdate(revokeStaffInvitationUpdate, { args: [{ staffUserId: staff.staffUserId }] }),
  );
}
