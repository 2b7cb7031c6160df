import { z } from 'zod';

export const ZClientAuditParams = z.object({ clientId: z.uuid('must be a client id (UUID)') });

export const ZClientAuditQuery = z.object({
  /** Only this action, e.g. onboarding.read. */
  action: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/, 'must be an action such as onboarding.read')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const ZAuditEventResponse = z.object({
  occurredAt: z.iso.datetime(),
  actor: z.object({ type: z.string(), id: z.string().nullable() }),
  action: z.string(),
  onboardingId: z.uuid().nullable(),
  outcome: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

export const ZClientAuditResponse = z.object({ clientId: z.uuid(), events: z.array(ZAuditEventResponse) });
export type TClientAuditResponse = z.infer<typeof ZClientAuditResponse>;
