import type { Db } from '../db/client';
import { createChartActivities } from './charts';
import { createOnboardingProgressActivities } from './onboarding-progress';

export interface ActivityDependencies {
  db: Db;
}

/**
 * Every activity the worker registers, built from its dependencies so tests
 * pass real-but-local ones (a test database, a local email stand-in).
 */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createChartActivities(deps),
    ...createOnboardingProgressActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
