/**
 * Where a client's onboarding stands. The workflow, the database projection
 * (enum onboarding_status) and the API share these names; a unit test keeps
 * this list and the Prisma enum identical.
 */
export const ONBOARDING_STATUSES = [
  /** Webhook accepted, workflow not yet past its first step. */
  'PENDING',
  'CHART_CREATED',
  'INVITED',
  'EXPIRED',
  'REGISTERED',
  'FORMS_OUTSTANDING',
  'COMPLETE',
  'CANCELLED',
  /** The flow stopped on an error an engineer must look at. */
  'FAILED',
  /** Staff revoked portal access; the flow waits for resend, change of owner or cancel. */
  'REVOKED',
  /** The invitation bounced for good (or was marked as spam); the flow waits for staff to fix the address. */
  'INVITATION_BOUNCED',
] as const;

export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number];

/**
 * Finished onboardings: the client completed it, or staff or ops cancelled
 * it. Nothing may act on them any more (staff actions and ops alike answer
 * 409 "This onboarding has finished"). FAILED is not finished: an engineer
 * may still run it again (ops retry, or a reset with `force`). REVOKED waits
 * for staff.
 */
export const FINISHED_ONBOARDING_STATUSES: readonly OnboardingStatus[] = ['COMPLETE', 'CANCELLED'];

export function isOnboardingFinished(status: OnboardingStatus): boolean {
  return FINISHED_ONBOARDING_STATUSES.includes(status);
}
