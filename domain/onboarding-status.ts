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
] as const;

export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number];
