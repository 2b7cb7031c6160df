import type { Request } from 'express';
import { recordAudit, type AuditOutcome } from '../audit/audit-log';
import type { Db } from '../db/client';
import { AppError } from './app-error';
import { originOf } from './audit-context';
import { staffOf } from './staff-auth';

/** How a failed request is recorded: denied (not allowed or not found), refused (a conflict), or failed. */
export function outcomeOf(error: unknown): { outcome: AuditOutcome; code: string } {
  if (!(error instanceof AppError)) return { outcome: 'failed', code: 'INTERNAL' };
  const denied = error.code === 'FORBIDDEN' || error.code === 'NOT_FOUND' || error.code === 'UNAUTHENTICATED';
  return { outcome: denied ? 'denied' : error.code === 'UNAVAILABLE' ? 'failed' : 'refused', code: error.code };
}

/**
 * Runs a staff request on one onboarding and records it in the audit trail,
 * whatever its outcome. The client is named only when the onboarding is in
 * the staff member's own organisation.
 */
export async function audited<T>(db: Db, req: Request, action: string, onboardingId: string, work: () => Promise<T>) {
  const staff = staffOf(req);
  let result: { outcome: AuditOutcome; code: string | null } = { outcome: 'success', code: null };
  try {
    return await work();
  } catch (error) {
    result = outcomeOf(error);
    throw error;
  } finally {
    const onboarding = await db.onboarding.findUnique({
      where: { id: onboardingId },
      select: { organizationId: true, clientId: true },
    });
    const own = onboarding?.organizationId === staff.organizationId;
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
      },
    });
  }
}
