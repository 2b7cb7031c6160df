import { afterCommit } from '../db/after-commit';
import type { OnboardingStatus } from '../domain/onboarding-status';
import type { AppMetrics } from './metrics';

/**
 * Which metrics count the status changes committed through which database
 * client. Keyed by the client because the status is written deep inside use
 * cases and activities that receive only a transaction: the worker and the
 * API each register their own, and in `npm start` (one client, one registry)
 * registering twice still counts once.
 */
const observers = new WeakMap<object, Set<AppMetrics>>();

export function countStatusTransitions(db: object, metrics: AppMetrics): void {
  const set = observers.get(db) ?? new Set<AppMetrics>();
  set.add(metrics);
  observers.set(db, set);
}

/**
 * Call inside the transaction that changed an onboarding's status (only when
 * it really changed). It is counted once that transaction commits: a rolled
 * back attempt and its retry count once, and a retry that finds the status
 * already written changes nothing and counts nothing.
 */
export function statusEntered(status: OnboardingStatus): void {
  afterCommit((db) => {
    for (const metrics of observers.get(db) ?? []) metrics.onboardingStatusTransitions.inc({ status });
  });
}
