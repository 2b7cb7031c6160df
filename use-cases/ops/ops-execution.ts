/**
 * Temporal's view of an onboarding's workflow for operators: describe the
 * current run, the failure type it closed with, links to the Web UI. Every
 * call goes to Temporal; the list pages through the database first and asks
 * Temporal only about the page.
 */
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { AppError } from '../app-error';
import type { TOpsExecution } from '../../schemas/ops';
import type { OpsDeps } from './ops-access';
import type { ExecutionFacts } from './ops-diagnosis';
import { closeFailureType, failureType, timestampToIso, type HistoryEvent } from './ops-history';

const CLOSED_WITH_FAILURE = new Set(['FAILED', 'TIMED_OUT', 'TERMINATED']);

/** The Temporal Web UI page of a workflow (its latest run) or of one run; null when no UI is configured. */
export function webUiUrl(deps: OpsDeps, workflowId: string, runId?: string): string | null {
  if (!deps.temporalUiUrl) return null;
  const base = deps.temporalUiUrl.replace(/\/+$/, '');
  const namespace = encodeURIComponent(deps.temporal.options.namespace);
  const workflow = `${base}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${workflow}/${encodeURIComponent(runId)}/history` : workflow;
}

/** A Temporal call that failed for a reason other than the workflow not existing: retry later. */
export function temporalUnavailable(error: unknown): AppError {
  return new AppError('UNAVAILABLE', 'Temporal call failed', { cause: error });
}

/** The workflow's latest run, or null when Temporal has no workflow with this id. */
export async function describeExecution(
  deps: OpsDeps,
  workflowId: string,
): Promise<WorkflowExecutionDescription | null> {
  try {
    return await deps.temporal.workflow.getHandle(workflowId).describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return null;
    throw temporalUnavailable(error);
  }
}

/** The whole history of one run (onboarding histories are a few hundred events at most). */
export async function fetchRunHistory(deps: OpsDeps, workflowId: string, runId: string): Promise<HistoryEvent[]> {
  try {
    const history = await deps.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
    return history.events ?? [];
  } catch (error) {
    throw temporalUnavailable(error);
  }
}

/** Only the close event of a run, so a list can say why a run failed without reading its history. */
async function fetchCloseEvent(deps: OpsDeps, workflowId: string, runId: string): Promise<HistoryEvent[]> {
  try {
    const response = await deps.temporal.workflowService.getWorkflowExecutionHistory({
      namespace: deps.temporal.options.namespace,
      execution: { workflowId, runId },
      historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
    });
    return response.history?.events ?? [];
  } catch (error) {
    throw temporalUnavailable(error);
  }
}

/**
 * Summarises a run. `closeEvents` (the close event, or the whole history)
 * tells what a failed, timed-out or terminated run closed with; it is fetched
 * when not given and the run closed that way.
 */
export async function executionSummary(
  deps: OpsDeps,
  description: WorkflowExecutionDescription,
  closeEvents?: readonly HistoryEvent[],
): Promise<TOpsExecution> {
  const pending = description.raw.pendingActivities ?? [];
  const closedWithFailure = CLOSED_WITH_FAILURE.has(description.status.name);
  const closeFailure = closedWithFailure
    ? closeFailureType(closeEvents ?? (await fetchCloseEvent(deps, description.workflowId, description.runId)))
    : null;
  const failing = [...pending]
    .filter((activity) => activity.lastFailure)
    .sort((a, b) => (b.attempt ?? 0) - (a.attempt ?? 0))[0];
  return {
    runId: description.runId,
    status: description.status.name,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString() ?? null,
    historyLength: description.historyLength,
    pendingActivities: pending.length,
    maxActivityAttempt: Math.max(0, ...pending.map((activity) => activity.attempt ?? 0)),
    workflowTaskAttempt: description.raw.pendingWorkflowTask?.attempt ?? null,
    lastFailureType: closeFailure ?? failureType(failing?.lastFailure),
  };
}

/** What the diagnosis (ops-diagnosis.ts) needs to know of a run; null when there is no workflow. */
export function executionFacts(description: WorkflowExecutionDescription | null): ExecutionFacts | null {
  if (!description) return null;
  return {
    status: description.status.name,
    pendingWorkflowTask: pendingWorkflowTask(description),
    maxActivityAttempt: Math.max(0, ...(description.raw.pendingActivities ?? []).map((a) => a.attempt ?? 0)),
  };
}

function pendingWorkflowTask(description: WorkflowExecutionDescription): ExecutionFacts['pendingWorkflowTask'] {
  const task = description.raw.pendingWorkflowTask;
  if (!task) return null;
  const since = task.originalScheduledTime ?? task.scheduledTime;
  return {
    attempt: task.attempt ?? 1,
    scheduled: task.state === temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
    scheduledAt: since ? new Date(timestampToIso(since)!) : null,
  };
}

/** `PENDING_ACTIVITY_STATE_CANCEL_REQUESTED` → `CANCEL_REQUESTED`. */
export function pendingActivityState(state: temporal.api.enums.v1.PendingActivityState | null | undefined): string {
  return (temporal.api.enums.v1.PendingActivityState[state ?? 0] ?? 'UNSPECIFIED').replace(
    'PENDING_ACTIVITY_STATE_',
    '',
  );
}
