/**
 * Ops reset and retry: start a new run of the onboarding's workflow from an
 * earlier point of the current run's history (Temporal's ResetWorkflowExecution).
 * The new run keeps the history up to a workflow task completion, runs that
 * workflow task again with the code deployed now, and carries on. Signals
 * received after that point are reapplied (Temporal's default); staff actions
 * (updates) after it are not, though their database effects stay.
 */
import { randomUUID } from 'node:crypto';
import { isGrpcServiceError } from '@temporalio/client';
import { AppError } from '../app-error';
import type { TOpsActionResponse, TOpsResetRequest } from '../../schemas/ops';
import type { StaffPrincipal } from '../staff-principal';
import { assertOpsMayAct, onboardingToOperate, type OpsDeps } from './ops-access';
import { describeExecution, fetchRunHistory, temporalUnavailable, webUiUrl } from './ops-execution';
import { resetPoints, resolveResetPoint, toNumber, type HistoryEvent } from './ops-history';
import { recordOpsReopened } from './ops-projection';

/** gRPC codes Temporal refuses a reset with when the request does not fit the run. */
const REFUSED_CODES = new Set([3 /* INVALID_ARGUMENT */, 5 /* NOT_FOUND */, 9 /* FAILED_PRECONDITION */]);

async function currentRun(deps: OpsDeps, workflowId: string) {
  const description = await describeExecution(deps, workflowId);
  if (!description) {
    throw new AppError('CONFLICT', 'no workflow to reset', {
      publicMessage: 'Temporal has no workflow for this onboarding; there is nothing to reset.',
    });
  }
  return description;
}

async function resetTo(
  deps: OpsDeps,
  staff: StaffPrincipal,
  run: { workflowId: string; runId: string },
  point: HistoryEvent,
  reason: string,
): Promise<string> {
  try {
    const response = await deps.temporal.workflowService.resetWorkflowExecution({
      namespace: deps.temporal.options.namespace,
      workflowExecution: run,
      reason,
      workflowTaskFinishEventId: point.eventId,
      requestId: randomUUID(),
      identity: `ops-api staff ${staff.staffUserId}`,
    });
    return response.runId ?? '';
  } catch (error) {
    if (isGrpcServiceError(error) && REFUSED_CODES.has(error.code)) {
      throw new AppError('CONFLICT', 'Temporal refused the reset', {
        cause: error,
        // Temporal's reasons name events and runs, never workflow data.
        publicMessage: `Temporal refused the reset: ${error.details.slice(0, 200)}`,
      });
    }
    throw temporalUnavailable(error);
  }
}

async function reopen(
  deps: OpsDeps,
  staff: StaffPrincipal,
  action: 'reset' | 'retry',
  onboarding: { id: string; workflowId: string },
  previousRunId: string,
  point: HistoryEvent,
  reason: string,
  forced = false,
): Promise<TOpsActionResponse> {
  const runId = await resetTo(deps, staff, { workflowId: onboarding.workflowId, runId: previousRunId }, point, reason);
  const eventId = toNumber(point.eventId);
  const status = await recordOpsReopened(deps.db, {
    onboardingId: onboarding.id,
    event: action === 'reset' ? 'ops.reset' : 'ops.retried',
    staffUserId: staff.staffUserId,
    previousRunId,
    runId,
    eventId,
    forced,
  });
  const after = await describeExecution(deps, onboarding.workflowId);
  return {
    onboardingId: onboarding.id,
    action,
    status,
    workflowId: onboarding.workflowId,
    runId,
    executionStatus: after?.runId === runId ? after.status.name : null,
    previousRunId,
    resetToEventId: eventId,
    message: `New run started from event ${eventId} (WorkflowTaskCompleted) of run ${previousRunId}.`,
    webUiUrl: webUiUrl(deps, onboarding.workflowId, runId),
  };
}

/**
 * Resets the current run (running or closed) to a workflow task completion of
 * the caller's choosing. Refused (409) for a finished onboarding, and for a
 * FAILED one unless the request says `force` (recorded on the timeline's
 * ops.reset entry as `forced`).
 */
export async function opsResetOnboarding(
  deps: OpsDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  request: TOpsResetRequest,
): Promise<TOpsActionResponse> {
  const onboarding = await onboardingToOperate(deps.db, staff, onboardingId);
  assertOpsMayAct(onboarding, 'reset', request.force);
  const forced = onboarding.status === 'FAILED';
  const run = await currentRun(deps, onboarding.workflowId);
  const events = await fetchRunHistory(deps, onboarding.workflowId, run.runId);
  const point = resolveResetPoint(events, request.to);
  const reason = forced ? `${request.reason} (forced reset of a failed onboarding)` : request.reason;
  return reopen(deps, staff, 'reset', onboarding, run.runId, point, reason, forced);
}

/**
 * Runs a failed, timed-out or terminated flow again from the step that
 * failed (ops-history.ts `resetPoints` says where). A running flow needs no
 * retry: its activities retry by themselves, and a failing workflow task is
 * retried until a fixed worker is deployed. A finished onboarding (COMPLETE,
 * CANCELLED) is refused (409).
 */
export async function opsRetryOnboarding(
  deps: OpsDeps,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<TOpsActionResponse> {
  const onboarding = await onboardingToOperate(deps.db, staff, onboardingId);
  assertOpsMayAct(onboarding, 'retry');
  const run = await currentRun(deps, onboarding.workflowId);
  const state = run.status.name;
  if (state === 'RUNNING') {
    throw new AppError('CONFLICT', 'retry of a running workflow', {
      publicMessage:
        'The workflow is running: its activities retry by themselves, and a failing workflow task is retried once a fixed worker is deployed. To run it again from an earlier point, use reset.',
    });
  }
  if (state !== 'FAILED' && state !== 'TIMED_OUT' && state !== 'TERMINATED') {
    throw new AppError('CONFLICT', 'retry of a workflow that did not fail', {
      publicMessage: `The workflow closed as ${state}, not with a failure; retry is for failed flows. Use reset to run it again.`,
    });
  }
  const events = await fetchRunHistory(deps, onboarding.workflowId, run.runId);
  const point = resetPoints(events).retry;
  if (!point) {
    throw new AppError('CONFLICT', 'no workflow task to retry from', {
      publicMessage: 'The workflow never completed a workflow task, so there is no point to retry from.',
    });
  }
  return reopen(deps, staff, 'retry', onboarding, run.runId, point, `retry by ops (${state})`);
}
