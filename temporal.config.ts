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
  workflowIdPrefix: {
    onboarding: 'onboarding-',
    formRequest: 'form-request-',
    passwordReset: 'password-reset-',
    passwordResetRequest: 'password-reset-request-',
    statusCallback: 'status-callback-',
    payment: 'payment-',
    staffPauseAlert: 'staff-pause-alert-',
  },
} as const;

/** Durations of the onboarding flow. */
export const onboardingDurations = {
  /** How long a portal invitation link stays valid (seed 001). */
  invitationTtl: '7 days',
} as const;

/** Durations of a payment request (workflows/payment.ts). */
export const paymentDurations = {
  /**
   * How long a hosted checkout waits for the client before the flow asks the
   * provider, ends the checkout and leaves the balance open. The flow ends
   * Stripe's session itself then (it would last 24 hours): an expiry time sent
   * at creation would differ on a retry, which Stripe refuses under the same
   * idempotency key.
   */
  checkoutTimeoutMs: 60 * 60 * 1000,
  /**
   * A saved card's charge still "processing" at the provider after that hour
   * (rare for cards) is waited for this many more hours before the request is
   * marked FAILED as unconfirmed for staff to look at; it is never abandoned
   * while money may still move.
   */
  maxProcessingChecks: 48,
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
  /**
   * Status callbacks to an EHR, whose endpoint may be down for hours (maintenance, an
   * outage): 10 s, 20 s, 40 s… up to hourly, 33 attempts ≈ 24 hours, then the delivery
   * log says FAILED. The EHR refusing the call (a 4xx other than 408/425/429) or an
   * unusable callback URL stays so on every retry.
   */
  statusCallback: {
    initialInterval: '10 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 hour',
    maximumAttempts: 33,
    nonRetryableErrorTypes: ['CallbackRejected', 'CallbackMisconfigured'],
  },
  /**
   * Payment provider calls: the provider down or rate-limiting heals in
   * minutes, and every call carries an idempotency key, so retrying is safe.
   * A refusal (a bad request, no provider configured) stays so.
   */
  payments: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: ['ValidationFailure', 'PaymentsNotConfigured', 'PaymentProviderRejected'],
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
  payments: {
    // A provider call answers in a second or two; Stripe's SDK gives up after 80 s by default, ours after 20 s.
    startToCloseTimeout: '30 seconds',
    retry: retryProfiles.payments,
  },
  statusCallback: {
    // The POST gives up after 10 s (activities/status-callbacks.ts); this covers it and its database writes.
    startToCloseTimeout: '30 seconds',
    retry: retryProfiles.statusCallback,
  },
} as const satisfies Record<string, ActivityOptions>;
