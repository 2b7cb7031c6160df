import { ApplicationFailure, ApplicationFailureCategory, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from '../observability/logger';
import type { ActivityOutcome, AppMetrics } from '../observability/metrics';

/**
 * What a failed attempt was, without its message: messages of database and
 * provider errors can quote the values they choked on, which may be PHI.
 */
function failureKind(error: unknown): string {
  if (error instanceof ApplicationFailure) return error.type ?? 'ApplicationFailure';
  if (error instanceof Error) return error.name;
  return typeof error;
}

/**
 * A Temporal worker activity interceptor: counts and times every activity
 * attempt, and logs one line per attempt with the workflow and activity ids
 * (never the arguments, which carry chart details), so an operator can follow
 * one onboarding through the logs by its workflow id.
 */
export function activityObservability(deps: { metrics?: AppMetrics; logger?: Logger }): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const { info } = ctx;
        const started = process.hrtime.bigint();
        let outcome: ActivityOutcome = 'completed';
        let failure: string | undefined;
        let routine = false;
        try {
          return await next(input);
        } catch (error: unknown) {
          outcome = error instanceof CancelledFailure ? 'cancelled' : 'failed';
          failure = failureKind(error);
          // A business refusal (activities/invitations.ts `refusal`) is an answer, not a fault to look into.
          routine = error instanceof ApplicationFailure && error.category === ApplicationFailureCategory.BENIGN;
          throw error;
        } finally {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const labels = { activity: info.activityType, outcome };
          deps.metrics?.activityExecutions.inc(labels);
          deps.metrics?.activityDuration.observe(labels, seconds);
          deps.logger?.[outcome === 'completed' || routine ? 'info' : 'warn'](
            {
              workflowId: info.workflowExecution?.workflowId,
              runId: info.workflowExecution?.runId,
              workflowType: info.workflowType,
              activityType: info.activityType,
              activityId: info.activityId,
              attempt: info.attempt,
              outcome,
              ...(failure ? { failure } : {}),
              durationMs: seconds * 1000,
            },
            'activity',
          );
        }
      },
    },
  });
}
