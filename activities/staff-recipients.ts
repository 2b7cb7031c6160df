import type { Db } from '../db/client';

/**
 * Who hears about a client's progress (forms completed, a payment received):
 * the practice's admins and the clinician assigned to the client (seed 003:
 * "Both the Administrator and the assigned Therapist").
 */
export function staffToNotify(db: Db, organizationId: string, assignedStaffId: string | null | undefined) {
  return db.staffUser.findMany({
    where: {
      organizationId,
      // A deactivated account hears nothing more about the practice's clients.
      deactivatedAt: null,
      OR: [{ role: 'ADMIN' }, ...(assignedStaffId ? [{ id: assignedStaffId }] : [])],
    },
    orderBy: { createdAt: 'asc' },
    select: { id: true, email: true, displayName: true },
  });
}
