/**
 * Ops cancel and terminate: stopping a flow from outside, for when the staff
 * cancel (a workflow update, use-cases/onboarding/act-on-onboarding.ts) cannot work
 * because the flow is stuck: no worker runs it, or its code keeps failing.
 */
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { AppError } from '../app-error';
import type { TOpsActionResponse } from '../../schemas/ops';
import type { StaffPrincipal } from '../staff-principal';
import { assertOpsMayAct, onboardingToOperate, type OpsDeps } from './ops-access';
import { describeExecution, temporalUnavailable, webUiUrl } from './ops-execution';
import { recordOpsClosed } from './ops-projection';

/** The latest run, which must be running for cancel or terminate to mean anything. */
async function runningExecution(deps: OpsDeps, workflowId: string, verb: string) {
  const description = await describeExecution(deps, workflowId);
  if (!description || description.status.name !== 'RUNNING') throw notRunning(description, verb);
  return description;
}

function notRunning(description: WorkflowExecutionDescription | null, verb: string): AppError {
  const state = description ? `has closed (${description.status.name})` : 'does not exist';
  return new AppError('CONFLICT', `workflow not running: cannot ${verb}`, {
    publicMessage: `The workflow ${state}; there is nothing to ${verb}.`,
  });
}

/** Temporal answers NotFound for a run that closed between our describe and the request. */
function isClosedRunError(error: unknown): boolean {
  return (
    error instanceof WorkflowNotFoundError ||
    (error instanceof Error && /workflow execution already completed/i.test(error.message))
  );
}

/**
 * Requests cancellation of the running workflow. The workflow sees it at its
 * next workflow task: at once with a worker, or as soon as one polls again.
 * A cancelled workflow records nothing itself, so the projection is marked
 * CANCELLED here (timeline ops.cancelled) as soon as Temporal accepted the request.
 * A finished onboarding (COMPLETE, CANCELLED) is refused with a 409 before
 * Temporal is asked; the answer's status is the one the database holds after.
 */
export async function opsCancelOnboarding(
  deps: OpsDeps,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<TOpsActionResponse> {
  const onboarding = await onboardingToOperate(deps.db, staff, onboardingId);
  assertOpsMayAct(onboarding, 'cancel');
  const execution = await runningExecution(deps, onboarding.workflowId, 'cancel');
  try {
    await deps.temporal.workflow.getHandle(onboarding.workflowId, execution.runId).cancel();
  } catch (error) {
    if (isClosedRunError(error)) throw notRunning(null, 'cancel');
    throw temporalUnavailable(error);
  }
  const status = await recordOpsClosed(deps.db, {
    onboardingId,
    event: 'ops.cancelled',
    staffUserId: staff.staffUserId,
    runId: execution.runId,
  });
  const after = await describeExecution(deps, onboarding.workflowId);
  const closed = after?.runId === execution.runId && after.status.name !== 'RUNNING';
  return {
    onboardingId,
    action: 'cancel',
    status,
    workflowId: onboarding.workflowId,
    runId: execution.runId,
    executionStatus: after?.runId === execution.runId ? after.status.name : null,
    previousRunId: null,
    resetToEventId: null,
    message: closed
      ? 'Cancelled.'
      : 'Cancellation requested: the workflow stops at its next workflow task, as soon as a worker runs it.',
    webUiUrl: webUiUrl(deps, onboarding.workflowId, execution.runId),
  };
}

/**
 * Terminates the running workflow at once: no workflow code runs, so nothing
 * is cleaned up by the flow. Its child form requests are still asked to
 * cancel by Temporal (their parent close policy) and clean up themselves. The
 * projection becomes CANCELLED (timeline ops.terminated): see
 * use-cases/ops/ops-projection.ts for why not FAILED. The reason goes into the
 * workflow history in plain text. A finished onboarding is refused (409).
 */
export async function opsTerminateOnboarding(
  deps: OpsDeps,
  staff: StaffPrincipal,
  onboardingId: string,
  reason: string,
): Promise<TOpsActionResponse> {
  const onboarding = await onboardingToOperate(deps.db, staff, onboardingId);
  assertOpsMayAct(onboarding, 'terminate');
  const execution = await runningExecution(deps, onboarding.workflowId, 'terminate');
  try {
    await deps.temporal.workflow
      .getHandle(onboarding.workflowId, execution.runId)
      .terminate(`${reason} (ops, staff user ${staff.staffUserId})`);
  } catch (error) {
    if (isClosedRunError(error)) throw notRunning(null, 'terminate');
    throw temporalUnavailable(error);
  }
  const status = await recordOpsClosed(deps.db, {
    onboardingId,
    event: 'ops.terminated',
    staffUserId: staff.staffUserId,
    runId: execution.runId,
  });
  return {
    onboardingId,
    action: 'terminate',
    status,
    workflowId: onboarding.workflowId,
    runId: execution.runId,
    executionStatus: 'TERMINATED',
    previousRunId: null,
    resetToEventId: null,
    message: 'Terminated.',
    webUiUrl: webUiUrl(deps, onboarding.workflowId, execution.runId),
  };
}
