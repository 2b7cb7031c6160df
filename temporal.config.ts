/**
 * Temporal settings shared by the worker, the API and the workflows.
 *
 * Workflow code imports this file, so it must stay deterministic: constants
 * only, no process.env, no I/O. Deployment-specific values (server address,
 * namespace, TLS, API key) come from environment variables in config/env.ts.
 */
import type { ActivityOptions, RetryPolicy } from '@temporalio/common';

export const temporalConfig = {
  /** Task queue of the onboarding worker; env TEMPORAL_TASK_QUEUE overrides. */
  taskQueue: 'client-onboarding',
  /** Default namespace; env TEMPORAL_NAMESPACE overrides. */
  namespace: 'default',
  /** Local dev server ports used by `npm start`. */
  devServer: { port: 7233, uiPort: 8233 },
  /** Workflow ids carry only our own random ids, never PHI. */
  workflowIdPrefix: { onboarding: 'onboarding-', formRequest: 'form-request-' },
} as const;

/** Durations of the onboarding flow. */
export const onboardingDurations = {
  /** How long a portal invitation link stays valid (seed 001). */
  invitationTtl: '7 days',
} as const;

/**
 * Named retry profiles. Activities pick one instead of inventing their own, so
 * an on-call engineer reads one table to know how hard we retry what.
 */
export const retryProfiles = {
  /** Database writes: transient failures (connection drops, failover) heal in seconds. */
  database: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['ValidationFailure'],
  },
} as const satisfies Record<string, RetryPolicy>;

/** Activity options per group of activities. */
export const activityProfiles = {
  database: {
    // A crashed worker's activity is retried elsewhere only after this long;
    // a healthy write takes milliseconds.
    startToCloseTimeout: '15 seconds',
    retry: retryProfiles.database,
  },
} as const satisfies Record<string, ActivityOptions>;
