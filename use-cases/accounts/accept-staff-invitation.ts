/**
 * The invitee's side of a staff invitation (issue 19): the emailed link
 * (/staff/<slug>/invitation/<token>) is looked up by its hash; a live one
 * lets them choose a password under the staff:password rules, which makes
 * their account and uses the link up in one transaction. The workflow is
 * told afterwards so no reminder or expiry follows.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { StaffRole } from '../../generated/prisma/client';
import { recordAudit, type AuditEntry } from '../../audit/audit-log';
import type { Logger } from '../../observability/logger';
import { hashPassword, passwordProblem } from '../../security/passwords';
import { hashToken, TOKEN_PATTERN } from '../../security/tokens';
import { staffInvitationAcceptedSignal, staffInvitationWorkflowId } from '../../workflows/staff-invitation';
import { roleNeedsSecondFactor } from './second-factor-policy';

/** Why a link no longer works: each gets its own sentence on the dead end. */
export type DeadLink = 'unknown' | 'expired' | 'revoked' | 'used';

export type StaffInvitationLink =
  | { live: true; invitationId: string; email: string; displayName: string; role: StaffRole }
  | { live: false; reason: DeadLink };

export async function inspectStaffInvitation(
  db: Db,
  organizationId: string,
  token: string,
): Promise<StaffInvitationLink> {
  if (!TOKEN_PATTERN.test(token)) return { live: false, reason: 'unknown' };
  const row = await db.staffInvitation.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.organizationId !== organizationId) return { live: false, reason: 'unknown' };
  if (row.status === 'USED') return { live: false, reason: 'used' };
  if (row.status === 'REVOKED') return { live: false, reason: 'revoked' };
  if (row.status !== 'PENDING' || row.expiresAt.getTime() <= Date.now()) return { live: false, reason: 'expired' };
  return { live: true, invitationId: row.id, email: row.email, displayName: row.displayName, role: row.role };
}

export type AcceptOutcome =
  | { kind: 'accepted'; staffUserId: string; secondFactorOwed: boolean }
  | { kind: 'invalid'; message: string }
  | { kind: 'dead'; reason: DeadLink | 'taken' };

export async function acceptStaffInvitation(
  deps: { db: Db; temporal: Client; logger?: Logger },
  organizationId: string,
  token: string,
  form: { password: string; passwordConfirmation: string },
  origin: AuditEntry['origin'],
): Promise<AcceptOutcome> {
  const link = await inspectStaffInvitation(deps.db, organizationId, token);
  if (!link.live) return { kind: 'dead', reason: link.reason };
  const problem = passwordProblem(form.password, [link.email, link.displayName]);
  if (problem) return { kind: 'invalid', message: problem };
  if (form.password !== form.passwordConfirmation) {
    return { kind: 'invalid', message: 'The two passwords are not the same.' };
  }
  const passwordHash = await hashPassword(form.password);

  const outcome = await deps.db.$transaction(async (tx): Promise<AcceptOutcome> => {
    // Uses the link up only while it is still live: two tabs submitting at once make one account.
    const claimed = await tx.staffInvitation.updateMany({
      where: { id: link.invitationId, tokenHash: hashToken(token), status: 'PENDING', expiresAt: { gt: new Date() } },
      data: { status: 'USED', usedAt: new Date() },
    });
    if (claimed.count === 0) return { kind: 'dead', reason: 'used' };
    const invitation = await tx.staffInvitation.findUniqueOrThrow({
      where: { id: link.invitationId },
      include: { organization: { select: { requireSecondFactor: true } } },
    });
    const taken = await tx.staffUser.count({ where: { organizationId, email: invitation.email } });
    if (taken) {
      // An account with this email was made meanwhile (another invitation, the seed script): the link is used up.
      return { kind: 'dead', reason: 'taken' };
    }
    const account = await tx.staffUser.create({
      data: {
        organizationId,
        email: invitation.email,
        displayName: invitation.displayName,
        role: invitation.role,
        canInvite: invitation.canInvite,
        passwordHash,
      },
      select: { id: true },
    });
    await tx.staffInvitation.update({ where: { id: invitation.id }, data: { staffUserId: account.id } });
    await recordAudit(tx, {
      organizationId,
      actor: { type: 'staff', id: account.id },
      action: 'staff.invitation_accept',
      outcome: 'success',
      origin,
      detail: { invitationId: invitation.id, role: invitation.role },
    });
    return {
      kind: 'accepted',
      staffUserId: account.id,
      secondFactorOwed: invitation.organization.requireSecondFactor && roleNeedsSecondFactor(invitation.role),
    };
  });

  if (outcome.kind === 'accepted') {
    try {
      await deps.temporal.workflow
        .getHandle(staffInvitationWorkflowId(link.invitationId))
        .signal(staffInvitationAcceptedSignal);
    } catch (error) {
      // The row says USED: the workflow's expiry step finds that and ends without sending anything.
      deps.logger?.warn(
        { err: error, invitationId: link.invitationId },
        'could not tell the staff invitation it was accepted',
      );
    }
  }
  return outcome;
}
