/**
 * How each EHR integration's status callbacks are faring, for ops as well as
 * admins (issue 19, item 4): counts and times only, never a payload, a secret
 * or anything about a client, so the on-call engineer sees a failing EHR
 * endpoint without reading PHI.
 */
import type { Db } from '../../db/client';
import { AppError } from '../app-error';
import type { StaffPrincipal } from '../staff-principal';

/** The window the counts cover: a week shows a slow failure as well as today's outage. */
export const HEALTH_WINDOW_DAYS = 7;

export interface IntegrationHealth {
  id: string;
  name: string;
  active: boolean;
  hasCallbackUrl: boolean;
  delivered: number;
  failed: number;
  pending: number;
  lastFailureAt: Date | null;
  lastDeliveredAt: Date | null;
}

export function assertMayReadDeliveryHealth(staff: StaffPrincipal): void {
  if (staff.role !== 'ADMIN' && staff.role !== 'OPS') {
    throw new AppError('FORBIDDEN', 'delivery health is for ops and admins', {
      publicMessage: 'Only operations staff and administrators see integration delivery health.',
    });
  }
}

export async function integrationHealth(db: Db, staff: StaffPrincipal, now = new Date()): Promise<IntegrationHealth[]> {
  assertMayReadDeliveryHealth(staff);
  const since = new Date(now.getTime() - HEALTH_WINDOW_DAYS * 24 * 60 * 60 * 1000);
  const integrations = await db.ehrIntegration.findMany({
    where: { organizationId: staff.organizationId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, active: true, callbackUrl: true },
  });
  const ids = integrations.map((row) => row.id);
  const [counts, failures, deliveries] = await Promise.all([
    db.outboundWebhook.groupBy({
      by: ['integrationId', 'status'],
      where: { integrationId: { in: ids }, createdAt: { gte: since } },
      _count: { _all: true },
    }),
    db.outboundWebhook.groupBy({
      by: ['integrationId'],
      where: { integrationId: { in: ids }, status: 'FAILED' },
      _max: { lastAttemptAt: true },
    }),
    db.outboundWebhook.groupBy({
      by: ['integrationId'],
      where: { integrationId: { in: ids }, status: 'DELIVERED' },
      _max: { deliveredAt: true },
    }),
  ]);
  const count = (id: string, status: 'DELIVERED' | 'FAILED' | 'PENDING') =>
    counts.find((row) => row.integrationId === id && row.status === status)?._count._all ?? 0;
  return integrations.map((row) => ({
    id: row.id,
    name: row.name,
    active: row.active,
    hasCallbackUrl: row.callbackUrl !== null,
    delivered: count(row.id, 'DELIVERED'),
    failed: count(row.id, 'FAILED'),
    pending: count(row.id, 'PENDING'),
    lastFailureAt: failures.find((f) => f.integrationId === row.id)?._max.lastAttemptAt ?? null,
    lastDeliveredAt: deliveries.find((d) => d.integrationId === row.id)?._max.deliveredAt ?? null,
  }));
}
