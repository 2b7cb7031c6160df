import type { Db } from '../db/client';
import type { Mailer } from '../emails/mailer';
import { createChartActivities } from './charts';
import { createFormRequestActivities } from './form-requests';
import { createInvitationActivities } from './invitations';
import { createOnboardingProgressActivities } from './onboarding-progress';

export interface ActivityDependencies {
  db: Db;
  mailer: Mailer;
  /** Signs registration-link tokens (security/tokens.ts). */
  tokenSigningKey: Buffer;
  /** Public URL of the API, for links in emails. */
  publicBaseUrl: string;
}

/**
 * Every activity the worker registers, built from its dependencies so tests
 * pass real-but-local ones (a test database, a local email stand-in).
 */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createChartActivities(deps),
    ...createOnboardingProgressActivities(deps),
    ...createInvitationActivities(deps),
    ...createFormRequestActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
