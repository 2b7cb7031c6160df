import { z } from 'zod';
import { ONBOARDING_STATUSES } from '../domain/onboarding-status';

export const ZOnboardingParams = z.object({ onboardingId: z.uuid('must be an onboarding id (UUID)') });

/** What staff and the EHR see of an onboarding. No PHI: ids, status and timeline only. */
export const ZOnboardingResponse = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  externalChartId: z.string(),
  clientId: z.uuid().nullable(),
  status: z.enum(ONBOARDING_STATUSES),
  inviteRequested: z.boolean(),
  formPackageId: z.uuid().nullable(),
  /** The clinician the EHR named; notified with the admins when forms are signed. */
  assignedStaffId: z.uuid().nullable(),
  /** Forms sent to the client ("Forms outstanding n/m"); per-form detail at /v1/onboardings/{id}/forms. */
  forms: z.object({ total: z.number().int(), submitted: z.number().int(), outstanding: z.number().int() }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  chartCreatedAt: z.iso.datetime().nullable(),
  timeline: z.array(
    z.object({
      type: z.string(),
      occurredAt: z.iso.datetime(),
      detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    }),
  ),
  /** The newest invitation; older ones were superseded. No token: only its hash is kept. */
  invitation: z
    .object({
      sequence: z.number().int(),
      status: z.enum(['PENDING', 'USED', 'EXPIRED', 'REVOKED', 'SUPERSEDED', 'LOCKED']),
      expiresAt: z.iso.datetime(),
      failedAttempts: z.number().int(),
    })
    .nullable(),
  portalAccount: z
    .object({ status: z.enum(['INVITED', 'ACTIVE', 'REVOKED']), ownerKind: z.enum(['CLIENT', 'GUARDIAN']) })
    .nullable(),
  /**
   * The practice's optional payment step (a card on file, or an intake
   * deposit), where it has one; null otherwise. Beside the status, not part of it.
   */
  paymentStep: z
    .object({
      kind: z.enum(['CARD_ON_FILE', 'DEPOSIT']),
      amountCents: z.number().int().nullable(),
      status: z.enum(['OUTSTANDING', 'IN_PROGRESS', 'DONE']),
      paymentRequestId: z.uuid().nullable(),
    })
    .nullable(),
  workflow: z.object({
    workflowId: z.string(),
    /** Temporal's execution status, or null when Temporal could not be asked. */
    executionStatus: z.string().nullable(),
  }),
});
export type TOnboardingResponse = z.infer<typeof ZOnboardingResponse>;

/** Change Ownership (seed 004): the guardian or contact who will own the portal. */
export const ZChangePortalOwnerRequest = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  email: z
    .email('must be a valid email address')
    .max(254, 'must be at most 254 characters')
    .transform((email) => email.toLowerCase()),
});
export type TChangePortalOwnerRequest = z.infer<typeof ZChangePortalOwnerRequest>;

/** What a staff action answers: where the onboarding now stands. */
export const ZStaffActionResponse = z.object({
  onboardingId: z.uuid(),
  status: z.enum(ONBOARDING_STATUSES),
  invitation: z.object({ sequence: z.number().int(), expiresAt: z.iso.datetime(), state: z.string() }).nullable(),
  /** Whether the client's portal login works: REVOKED after Revoke Access, until Restore Access or a new invitation. */
  portalAccountStatus: z.enum(['INVITED', 'ACTIVE', 'REVOKED']).nullable(),
});
export type TStaffActionResponse = z.infer<typeof ZStaffActionResponse>;
