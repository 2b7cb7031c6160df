import type { Db } from '../db/client';
import type { Mailer } from '../emails/mailer';
import type { AppMetrics } from '../observability/metrics';
import type { PaymentProvider } from '../payments/payment-provider';
import type { SecretBox } from '../security/secret-box';
import { countStatusTransitions } from '../observability/status-transitions';
import { createChartActivities } from './charts';
import { createChartContactActivities } from './chart-contacts';
import { createClientLinkRequestActivities } from './client-link-requests';
import { createCrisisAlertActivities } from './crisis-alert';
import { createFormRequestActivities } from './form-requests';
import { createInvitationActivities } from './invitations';
import { createInvitationBounceActivities } from './invitation-bounces';
import { createOnboardingProgressActivities } from './onboarding-progress';
import { createPasswordResetActivities } from './password-reset';
import { createPaymentActivities } from './payments';
import { createPaymentEmailActivities } from './payment-emails';
import { createPortalUserInvitationActivities } from './portal-user-invitations';
import { createStaffInvitationActivities } from './staff-invitations';
import { createStaffPauseAlertActivities } from './staff-pause-alerts';
import { createStatusCallbackActivities } from './status-callbacks';

export interface ActivityDependencies {
  db: Db;
  mailer: Mailer;
  /** Signs registration-link tokens (security/tokens.ts). */
  tokenSigningKey: Buffer;
  /** Public URL of the API, for links in emails. */
  publicBaseUrl: string;
  /** Counts emails and onboarding status changes; tests that do not look at metrics leave it out. */
  metrics?: AppMetrics;
  /** Opens the integration secrets stored encrypted (security/secret-box.ts): the callback secret. */
  secretBox: SecretBox;
  /** The card processor (payments/): Stripe, or the local checkout of `npm start`; none where payments are off. */
  payments?: PaymentProvider;
  /** Lets EHR callbacks go to http and this machine's own network: tests and `npm start` only (activities/status-callbacks.ts). */
  allowPrivateCallbackTargets?: boolean;
}

/**
 * Every activity the worker registers, built from its dependencies so tests
 * pass real-but-local ones (a test database, a local email stand-in).
 */
export function createActivities(deps: ActivityDependencies) {
  // Status changes are written inside shared transaction code that sees only `tx`: count this client's commits.
  if (deps.metrics) countStatusTransitions(deps.db, deps.metrics);
  return {
    ...createChartActivities(deps),
    ...createChartContactActivities(deps),
    ...createOnboardingProgressActivities(deps),
    ...createInvitationActivities(deps),
    ...createInvitationBounceActivities(deps),
    ...createPortalUserInvitationActivities(deps),
    ...createClientLinkRequestActivities(deps),
    ...createFormRequestActivities(deps),
    ...createCrisisAlertActivities(deps),
    ...createPasswordResetActivities(deps),
    ...createStaffInvitationActivities(deps),
    ...createStaffPauseAlertActivities(deps),
    ...createStatusCallbackActivities(deps),
    ...createPaymentActivities(deps),
    ...createPaymentEmailActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
