/**
 * When an onboarding counts as stuck or failed, from its database status and
 * Temporal's view of its workflow. Most onboardings wait for days by design
 * (an invitation is valid for 7 days, forms have reminders), so "not updated
 * for a while" alone is not stuck: something must also be wrong with the
 * flow, or it must not have got past its first step.
 */
import type { OnboardingStatus } from '../../domain/onboarding-status';
import type { OpsListState, OpsReason } from '../../schemas/ops';

/** Nothing more will happen to these onboardings. */
export const TERMINAL_STATUSES: readonly OnboardingStatus[] = ['COMPLETE', 'CANCELLED', 'FAILED'];

/**
 * After registration the onboarding workflow may have finished while forms
 * sent later still run in their own workflows: a completed run is normal here.
 */
const MAY_OUTLIVE_WORKFLOW: readonly OnboardingStatus[] = ['REGISTERED', 'FORMS_OUTSTANDING'];

/** Temporal's ways for a run to end badly, and how they are listed. */
const CLOSED_WITH_FAILURE: Record<string, OpsReason> = {
  FAILED: 'execution-failed',
  TIMED_OUT: 'execution-timed-out',
  TERMINATED: 'execution-terminated',
};

export interface ExecutionFacts {
  /** Temporal's status name of the latest run: RUNNING, COMPLETED, FAILED... */
  status: string;
  pendingWorkflowTask: { attempt: number; scheduled: boolean; scheduledAt: Date | null } | null;
  /** Highest attempt among pending activities; 0 when none is pending. */
  maxActivityAttempt: number;
}

/**
 * A workflow task waits this long at least before it counts as waiting for a
 * worker: workers pick tasks up within milliseconds, and one that was just
 * scheduled (an activity finished a moment ago) is not a problem.
 */
export const WORKER_GRACE_MS = 2_000;

/**
 * Why a non-terminal onboarding is stuck, or null if its flow is healthy.
 * `cutoff`: a workflow task that has waited for a worker since before then
 * (and for WORKER_GRACE_MS at least) counts as waiting for a worker.
 */
export function stuckReason(
  status: OnboardingStatus,
  execution: ExecutionFacts | null,
  cutoff: Date,
  now: Date = new Date(),
): OpsReason | null {
  if (TERMINAL_STATUSES.includes(status)) return null;
  if (!execution) return 'workflow-not-found';
  if (execution.status !== 'RUNNING') {
    if (execution.status === 'COMPLETED' && MAY_OUTLIVE_WORKFLOW.includes(status)) return null;
    return 'workflow-closed';
  }
  const task = execution.pendingWorkflowTask;
  if (task && task.attempt > 1) return 'workflow-task-failing';
  const waitingSince = Math.min(cutoff.getTime(), now.getTime() - WORKER_GRACE_MS);
  if (task?.scheduled && task.scheduledAt && task.scheduledAt.getTime() <= waitingSince) {
    return 'waiting-for-worker';
  }
  if (execution.maxActivityAttempt > 1) return 'activity-retrying';
  // A healthy flow creates the chart within seconds of the webhook.
  if (status === 'PENDING') return 'no-progress';
  return null;
}

/** Why an onboarding counts as failed, or null. */
export function failedReason(status: OnboardingStatus, execution: ExecutionFacts | null): OpsReason | null {
  if (status === 'FAILED') return 'onboarding-failed';
  // Cancelled or completed in the database: an ops terminate, or a staff cancel, closed it on purpose.
  if (TERMINAL_STATUSES.includes(status)) return null;
  return CLOSED_WITH_FAILURE[execution?.status ?? ''] ?? null;
}

/**
 * Whether an onboarding belongs in a list of `state`, and why. `running`
 * lists healthy and unhealthy flows alike whose workflow runs.
 */
export function classify(
  state: OpsListState,
  status: OnboardingStatus,
  execution: ExecutionFacts | null,
  cutoff: Date,
): { matches: boolean; reason: OpsReason | null } {
  switch (state) {
    case 'stuck': {
      const reason = stuckReason(status, execution, cutoff);
      return { matches: reason !== null, reason };
    }
    case 'failed': {
      const reason = failedReason(status, execution);
      return { matches: reason !== null, reason };
    }
    case 'running':
      return { matches: !TERMINAL_STATUSES.includes(status) && execution?.status === 'RUNNING', reason: null };
  }
}

/** Statuses the database scan skips for a state, before Temporal is asked about the rest. */
export function statusesToSkip(state: OpsListState): OnboardingStatus[] {
  return state === 'failed' ? ['COMPLETE', 'CANCELLED'] : [...TERMINAL_STATUSES];
}
