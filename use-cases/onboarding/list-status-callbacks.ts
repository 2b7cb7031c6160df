import type { Db } from '../../db/client';
import { AppError } from '../app-error';
import type { TIntegrationCallbacksQuery, TIntegrationCallbacksResponse } from '../../schemas/callbacks';
import type { StaffPrincipal } from '../staff-principal';

/**
 * The delivery log of an integration's status callbacks, newest first, for
 * the organisation's admins (they configure the EHR's endpoint). Another
 * organisation's integration is "not found", never "forbidden".
 */
export async function listStatusCallbacks(
  db: Db,
  staff: StaffPrincipal,
  integrationId: string,
  query: TIntegrationCallbacksQuery,
): Promise<TIntegrationCallbacksResponse> {
  if (staff.role !== 'ADMIN') {
    throw new AppError('FORBIDDEN', 'callback delivery log is for admins', {
      publicMessage: 'Only organisation administrators can read the callback delivery log.',
    });
  }
  const integration = await db.ehrIntegration.findUnique({
    where: { id: integrationId },
    select: { organizationId: true },
  });
  if (!integration || integration.organizationId !== staff.organizationId) {
    throw new AppError('NOT_FOUND', 'unknown integration');
  }
  const rows = await db.outboundWebhook.findMany({
    where: { integrationId, ...(query.status ? { status: query.status } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: query.limit,
    // Not the payload: the log answers "did the EHR get it"; what was sent stays on the row for engineers.
    select: {
      id: true,
      webhookId: true,
      eventType: true,
      onboardingId: true,
      status: true,
      attempts: true,
      lastStatusCode: true,
      lastError: true,
      createdAt: true,
      lastAttemptAt: true,
      deliveredAt: true,
    },
  });
  return {
    integrationId,
    callbacks: rows.map((row) => ({
      ...row,
      eventType: row.eventType as TIntegrationCallbacksResponse['callbacks'][number]['eventType'],
      createdAt: row.createdAt.toISOString(),
      lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
      deliveredAt: row.deliveredAt?.toISOString() ?? null,
    })),
  };
}
