import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, in a registry of their own.
 *
 * Never prom-client's global default registry: every test file, and the API
 * and worker when `npm start` runs them in one process, decide for themselves
 * which metrics they share. Labels carry bounded, non-identifying values only
 * (route templates, template ids, activity names, statuses): an id or a token
 * in a label would both leak it and grow one time series per value.
 */
export interface AppMetrics {
  readonly registry: Registry;
  /** Label `route` is the Express route template, or `unmatched`: never the raw path. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly emailsSent: Counter<'template' | 'transport' | 'outcome'>;
  readonly activityExecutions: Counter<'activity' | 'outcome'>;
  readonly activityDuration: Histogram<'activity' | 'outcome'>;
  /** Committed changes of the onboarding projection's status, by the status entered. */
  readonly onboardingStatusTransitions: Counter<'status'>;
  /** Payment requests ending, by kind (BALANCE, DEPOSIT, CARD_SETUP) and outcome (SUCCEEDED, FAILED, ABANDONED). */
  readonly paymentsCompleted: Counter<'kind' | 'outcome'>;
  /** Cents taken through the portal, by kind: with paymentsCompleted, the average payment. */
  readonly paymentAmountCents: Counter<'kind'>;
  /** Staff accounts paused by repeated wrong passwords: alert on any increase (someone is guessing). */
  readonly signInPauses: Counter<'door'>;
}

/** What sendTemplatedEmail did with one call. */
export type EmailOutcome = 'sent' | 'duplicate' | 'rejected' | 'error';

/** How one activity execution ended, as the worker saw it. */
export type ActivityOutcome = 'completed' | 'failed' | 'cancelled';

// Activities include email sends and multi-step transactions: seconds, not milliseconds, matter.
const ACTIVITY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event-loop lag, GC). On by default. */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): AppMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to finishing its response.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    emailsSent: new Counter({
      name: 'emails_sent_total',
      help: 'Templated email send attempts: sent, duplicate (already sent under its idempotency key), rejected by the provider, or error.',
      labelNames: ['template', 'transport', 'outcome'],
      registers,
    }),
    activityExecutions: new Counter({
      name: 'activity_executions_total',
      help: 'Temporal activity executions (each attempt) on this worker, by activity and outcome.',
      labelNames: ['activity', 'outcome'],
      registers,
    }),
    activityDuration: new Histogram({
      name: 'activity_duration_seconds',
      help: 'Duration of one Temporal activity attempt on this worker.',
      labelNames: ['activity', 'outcome'],
      buckets: ACTIVITY_BUCKETS,
      registers,
    }),
    onboardingStatusTransitions: new Counter({
      name: 'onboarding_status_transitions_total',
      help: 'Onboardings entering a status, counted once the change is committed to the database.',
      labelNames: ['status'],
      registers,
    }),
    paymentsCompleted: new Counter({
      name: 'payments_completed_total',
      help: 'Portal payment requests ending (each once), by kind and outcome. Many ABANDONED or FAILED: look at the checkout.',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    paymentAmountCents: new Counter({
      name: 'payment_amount_cents_total',
      help: 'Amounts recorded as paid through the portal, in cents, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    signInPauses: new Counter({
      name: 'sign_in_paused_total',
      help: 'Sign-in pauses started by repeated wrong passwords, by door (staff). Any increase: someone may be guessing.',
      labelNames: ['door'],
      registers,
    }),
  };
}
