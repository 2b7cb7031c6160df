import type { Request } from 'express';
import { recordAudit, type AuditOutcome } from '../audit/audit-log';
import type { Db } from '../db/client';
import { AppError } from '../use-cases/app-error';
import { originOf } from './audit-context';
import { outOfScopeReason } from '../use-cases/client-access-policy';
import { staffOf } from './staff-auth';
import type { StaffPrincipal } from '../use-cases/staff-principal';

/** How a failed request is recorded: denied (not allowed or not found), refused (a conflict), or failed. */
export function outcomeOf(error: unknown): { outcome: AuditOutcome; code: string } {
  if (!(error instanceof AppError)) return { outcome: 'failed', code: 'INTERNAL' };
  const denied = error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND' || error.code === 'UNAUTHENTICATED';
  return { outcome: denied ? 'denied' : error.code === 'UNAVAILABLE' ? 'failed' : 'refused', code: error.code };
}

/**
 * Runs a staff request on one onboarding and records it in the audit trail,
 * whatever its outcome (with `deniedOnly`, only when it is refused: for
 * pages that show nothing of the client). The client is named only when the
 * onboarding is in the staff member's own organisation; a therapist refused
 * a colleague's client is recorded with `scope: 'not_assigned'`, so admins
 * reading that client's trail see who tried (use-cases/client-access-policy.ts).
 */
export async function audited<T>(
  db: Db,
  req: Request,
  action: string,
  onboardingId: string,
  work: () => Promise<T>,
  options: { deniedOnly?: boolean } = {},
) {
  const staff = staffOf(req);
  let result: { outcome: AuditOutcome; code: string | null } = { outcome: 'success', code: null };
  try {
    return await work();
  } catch (error) {
    result = outcomeOf(error);
    throw error;
  } finally {
    if (!options.deniedOnly || result.outcome === 'denied') {
      await recordStaffAudit(db, req, staff, action, onboardingId, result);
    }
  }
}

async function recordStaffAudit(
  db: Db,
  req: Request,
  staff: StaffPrincipal,
  action: string,
  onboardingId: string,
  result: { outcome: AuditOutcome; code: string | null },
): Promise<void> {
  const onboarding = await db.onboarding.findUnique({
    where: { id: onboardingId },
    select: { organizationId: true, clientId: true, assignedStaffId: true },
  });
  const own = onboarding?.organizationId === staff.organizationId;
  // A 404 on the practice's own client: the policy, not a missing id, refused it (a 403 is the role's doing).
  const notAssigned = own && result.code === 'NOT_FOUND' && outOfScopeReason(staff, onboarding) === 'not_assigned';
  await recordAudit(db, {
    organizationId: staff.organizationId,
    actor: { type: 'staff', id: staff.staffUserId },
    action,
    onboardingId: own ? onboardingId : null,
    clientId: own ? onboarding.clientId : null,
    outcome: result.outcome,
    origin: originOf(req),
    detail: {
      ...(result.code ? { code: result.code } : {}),
      ...(own ? {} : { requestedOnboardingId: onboardingId }),
      ...(notAssigned ? { scope: 'not_assigned' } : {}),
    },
  });
}
