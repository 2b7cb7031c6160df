import { z } from 'zod';
import { STATUS_CALLBACK_EVENTS } from '../domain/status-callback';

/** The longest the old signing secret may stay valid after a rotation: long enough to redeploy an EHR's config. */
export const MAX_ROTATION_OVERLAP_DAYS = 7;

export const ZIntegrationId = z.object({ integrationId: z.uuid('must be an integration id (UUID)') });

export const ZIntegrationCreate = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  vendor: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
});
export type TIntegrationCreate = z.infer<typeof ZIntegrationCreate>;

export const ZIntegrationRotate = z.strictObject({
  /**
   * Until when the current secret keeps working beside the new one: in the
   * future and at most 7 days away. Checked against the clock in the use case.
   */
  previousValidUntil: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
});
export type TIntegrationRotate = z.infer<typeof ZIntegrationRotate>;

export const ZIntegrationPatch = z
  .strictObject({
    /**
     * https to a public host (checked again at every connect, security/outbound-request.ts); null removes it.
     * Plain http and private addresses only where the deployment allows them (tests, `npm start`).
     */
    callbackUrl: z
      .url({ protocol: /^https?$/, message: 'must be an https URL' })
      .max(2000, 'must be at most 2000 characters')
      .nullable()
      .optional(),
    /** Empty: every event. */
    callbackEvents: z.array(z.enum(STATUS_CALLBACK_EVENTS)).max(STATUS_CALLBACK_EVENTS.length).optional(),
    active: z.boolean().optional(),
    name: z.string().trim().min(1, 'is required').max(100).optional(),
    vendor: z.string().trim().min(1, 'is required').max(100).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'must change at least one field' });
export type TIntegrationPatch = z.infer<typeof ZIntegrationPatch>;

/** An integration as admins see it: never a secret, only whether one is set and until when the old one works. */
export const ZIntegration = z.object({
  id: z.uuid(),
  name: z.string(),
  vendor: z.string().nullable(),
  active: z.boolean(),
  /** Where the EHR posts chart.created and invoice.upserted. */
  webhookUrl: z.url(),
  callbackUrl: z.string().nullable(),
  callbackEvents: z.array(z.enum(STATUS_CALLBACK_EVENTS)),
  hasCallbackSecret: z.boolean(),
  /** During a rotation: until when the previous signing secret is still accepted; null otherwise. */
  previousSecretExpiresAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
});
export type TIntegration = z.infer<typeof ZIntegration>;

export const ZIntegrationList = z.object({ integrations: z.array(ZIntegration) });
export type TIntegrationList = z.infer<typeof ZIntegrationList>;

/** Answered once, when the secrets are made: they are stored sealed and never shown again. */
export const ZIntegrationCreated = z.object({
  integration: ZIntegration,
  /** The EHR signs its webhooks with it (Standard Webhooks, "whsec_…"). */
  signingSecret: z.string(),
  /** We sign status callbacks with it; the EHR verifies them with it. */
  callbackSecret: z.string(),
});
export type TIntegrationCreated = z.infer<typeof ZIntegrationCreated>;

export const ZIntegrationRotated = z.object({
  integration: ZIntegration,
  signingSecret: z.string(),
  /** The previous secret is accepted until then; the new one from now on. */
  previousValidUntil: z.iso.datetime(),
});
export type TIntegrationRotated = z.infer<typeof ZIntegrationRotated>;

export const ZPingResult = z.object({
  delivered: z.boolean(),
  /** The EHR's HTTP status, or null when it could not be reached. */
  statusCode: z.number().int().nullable(),
  /** Why it failed, in words that reveal nothing of the network behind us. */
  error: z.string().nullable(),
  webhookId: z.string(),
});
export type TPingResult = z.infer<typeof ZPingResult>;

/** One webhook the EHR sent us (from the audit trail: deliveries that passed the signature check). */
export const ZInboundDelivery = z.object({
  webhookId: z.string().nullable(),
  /** chart.receive or invoice.receive. */
  action: z.string(),
  /** success (accepted), refused (invalid body or state). */
  outcome: z.string(),
  duplicate: z.boolean().nullable(),
  onboardingId: z.uuid().nullable(),
  receivedAt: z.iso.datetime(),
});

export const ZInboundDeliveries = z.object({ integrationId: z.uuid(), deliveries: z.array(ZInboundDelivery) });
export type TInboundDeliveries = z.infer<typeof ZInboundDeliveries>;

export const ZIntegrationCallbackParams = ZIntegrationId.extend({
  callbackId: z.uuid('must be a callback delivery id (UUID)'),
});

export const ZRedelivery = z.object({ callbackId: z.uuid(), webhookId: z.string(), status: z.literal('PENDING') });
export type TRedelivery = z.infer<typeof ZRedelivery>;
