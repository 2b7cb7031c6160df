import { z } from 'zod';
import { STATUS_CALLBACK_DELIVERY_STATUSES, STATUS_CALLBACK_EVENTS } from '../domain/status-callback';

export const ZIntegrationCallbacksParams = z.object({ integrationId: z.uuid('must be an integration id (UUID)') });

export const ZIntegrationCallbacksQuery = z.object({
  /** Only deliveries in this state, e.g. FAILED to see what the EHR never got. */
  status: z.enum(STATUS_CALLBACK_DELIVERY_STATUSES, 'must be PENDING, DELIVERED or FAILED').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type TIntegrationCallbacksQuery = z.infer<typeof ZIntegrationCallbacksQuery>;

/** One status callback and how its delivery went: ids, codes and times only (the body is not shown). */
export const ZStatusCallbackDelivery = z.object({
  id: z.uuid(),
  /** The Standard Webhooks id the EHR deduplicates on. */
  webhookId: z.string(),
  eventType: z.enum(STATUS_CALLBACK_EVENTS),
  onboardingId: z.uuid(),
  status: z.enum(STATUS_CALLBACK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  /** A short reason such as "HTTP 503" or "connection failed (ECONNREFUSED)". */
  lastError: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastAttemptAt: z.iso.datetime().nullable(),
  deliveredAt: z.iso.datetime().nullable(),
});

export const ZIntegrationCallbacksResponse = z.object({
  integrationId: z.uuid(),
  /** Newest first. */
  callbacks: z.array(ZStatusCallbackDelivery),
});
export type TIntegrationCallbacksResponse = z.infer<typeof ZIntegrationCallbacksResponse>;
