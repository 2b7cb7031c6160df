import { z } from 'zod';
import { ONBOARDING_STATUSES } from '../../domain/onboarding-status';

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
  workflow: z.object({
    workflowId: z.string(),
    /** Temporal's execution status, or null when Temporal could not be asked. */
    executionStatus: z.string().nullable(),
  }),
});
export type TOnboardingResponse = z.infer<typeof ZOnboardingResponse>;
