/**
 * Reading a workflow's history for operators: a short summary, the failure
 * *type* of what went wrong, and where a reset or a retry can go back to.
 * Pure functions over Temporal's history events, so they are unit-tested
 * without a server. Payloads and failure messages are never read: they are
 * encrypted by our codec and may quote client data.
 */
import { temporal } from '@temporalio/proto';
import { AppError } from '../app-error';
import type { TOpsHistorySummary } from '../../schemas/ops';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure;
type Timestamp = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;

const { EventType } = temporal.api.enums.v1;

/** How many of the last events the summary lists. */
const RECENT_EVENTS = 10;

/** Temporal's ids and timestamps are 64-bit: Long objects from the wire, plain numbers when built by hand. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export function timestampToIso(ts: Timestamp): string | null {
  if (!ts) return null;
  return new Date(toNumber(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/** `EVENT_TYPE_WORKFLOW_TASK_COMPLETED` → `WorkflowTaskCompleted`, as the Web UI and the CLI name them. */
export function eventTypeName(type: temporal.api.enums.v1.EventType | null | undefined): string {
  return enumName(EventType[type ?? 0], 'EVENT_TYPE_');
}

/** A protobuf enum's value name without its prefix, in PascalCase. */
export function enumName(name: string | undefined, prefix: string): string {
  if (!name) return 'Unknown';
  return name
    .replace(prefix, '')
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/**
 * What kind of failure this is, never what it says. An activity's or child's
 * failure wraps the real one as its cause.
 */
export function failureType(failure: Failure | null | undefined): string | null {
  if (!failure) return null;
  if (failure.activityFailureInfo || failure.childWorkflowExecutionFailureInfo) {
    return failureType(failure.cause) ?? (failure.activityFailureInfo ? 'ActivityFailure' : 'ChildWorkflowFailure');
  }
  if (failure.applicationFailureInfo) return failure.applicationFailureInfo.type || 'ApplicationFailure';
  if (failure.timeoutFailureInfo) {
    const timeout = temporal.api.enums.v1.TimeoutType[failure.timeoutFailureInfo.timeoutType ?? 0];
    return `Timeout:${enumName(timeout, 'TIMEOUT_TYPE_')}`;
  }
  if (failure.canceledFailureInfo) return 'Cancelled';
  if (failure.terminatedFailureInfo) return 'Terminated';
  if (failure.serverFailureInfo) return 'ServerFailure';
  if (failure.resetWorkflowFailureInfo) return 'ResetWorkflow';
  return 'Unknown';
}

function isType(event: HistoryEvent, type: temporal.api.enums.v1.EventType): boolean {
  return event.eventType === type;
}

/** The failure type the run closed with, when it closed failed or timed out. */
export function closeFailureType(events: readonly HistoryEvent[]): string | null {
  const last = events.at(-1);
  if (!last) return null;
  if (last.workflowExecutionFailedEventAttributes)
    return failureType(last.workflowExecutionFailedEventAttributes.failure);
  if (last.workflowExecutionTimedOutEventAttributes) return 'Timeout:WorkflowExecution';
  if (last.workflowExecutionTerminatedEventAttributes) return 'Terminated';
  return null;
}

export interface ResetPoints {
  firstWorkflowTask: HistoryEvent | null;
  lastWorkflowTask: HistoryEvent | null;
  retry: HistoryEvent | null;
}

/**
 * The workflow task completions a reset can go back to. `retry` is where
 * running the failed part again makes sense:
 *
 * - the run failed: the workflow task that *scheduled* the step (activity or
 *   child) whose failure ended it. Resetting to the last workflow task would
 *   replay the same failed step and fail again: our workflow catches the
 *   error, records FAILED and rethrows, all after that step.
 * - the run failed on its own code (no failed step), was terminated or timed
 *   out: the last workflow task, which runs again (with the fixed code).
 */
export function resetPoints(events: readonly HistoryEvent[]): ResetPoints {
  const completions = events.filter((event) => isType(event, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED));
  const firstWorkflowTask = completions[0] ?? null;
  const lastWorkflowTask = completions.at(-1) ?? null;
  const byId = new Map(events.map((event) => [toNumber(event.eventId), event]));
  const completionById = (id: number) => {
    const event = byId.get(id);
    return event && isType(event, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) ? event : null;
  };

  let retry = lastWorkflowTask;
  if (events.at(-1)?.workflowExecutionFailedEventAttributes) {
    for (let index = events.length - 1; index >= 0; index -= 1) {
      const scheduledBy = schedulingTaskOfFailedStep(events[index]!, byId);
      if (scheduledBy !== null) {
        retry = completionById(scheduledBy) ?? retry;
        break;
      }
    }
  }
  return { firstWorkflowTask, lastWorkflowTask, retry };
}

/** For a failed activity or child event: the id of the workflow task completion that scheduled it. */
function schedulingTaskOfFailedStep(event: HistoryEvent, byId: Map<number, HistoryEvent>): number | null {
  const activityScheduledId =
    event.activityTaskFailedEventAttributes?.scheduledEventId ??
    event.activityTaskTimedOutEventAttributes?.scheduledEventId;
  if (activityScheduledId !== undefined && activityScheduledId !== null) {
    const scheduled = byId.get(toNumber(activityScheduledId));
    return scheduled?.activityTaskScheduledEventAttributes
      ? toNumber(scheduled.activityTaskScheduledEventAttributes.workflowTaskCompletedEventId)
      : null;
  }
  const childInitiatedId =
    event.childWorkflowExecutionFailedEventAttributes?.initiatedEventId ??
    event.childWorkflowExecutionTimedOutEventAttributes?.initiatedEventId ??
    event.childWorkflowExecutionTerminatedEventAttributes?.initiatedEventId ??
    event.startChildWorkflowExecutionFailedEventAttributes?.initiatedEventId;
  if (childInitiatedId !== undefined && childInitiatedId !== null) {
    const initiated = byId.get(toNumber(childInitiatedId));
    return initiated?.startChildWorkflowExecutionInitiatedEventAttributes
      ? toNumber(initiated.startChildWorkflowExecutionInitiatedEventAttributes.workflowTaskCompletedEventId)
      : null;
  }
  return null;
}

export function summarizeHistory(events: readonly HistoryEvent[]): TOpsHistorySummary {
  const counts: Record<string, number> = {};
  for (const event of events) {
    const type = eventTypeName(event.eventType);
    counts[type] = (counts[type] ?? 0) + 1;
  }
  const points = resetPoints(events);
  const idOf = (event: HistoryEvent | null) => (event ? toNumber(event.eventId) : null);
  return {
    events: events.length,
    counts,
    recent: events.slice(-RECENT_EVENTS).map((event) => ({
      eventId: toNumber(event.eventId),
      type: eventTypeName(event.eventType),
      time: timestampToIso(event.eventTime),
    })),
    resetPoints: {
      firstWorkflowTask: idOf(points.firstWorkflowTask),
      lastWorkflowTask: idOf(points.lastWorkflowTask),
      retry: idOf(points.retry),
    },
  };
}

/**
 * The event a reset goes back to. Temporal resets to a workflow task
 * completion: the new run keeps the history before it and runs that
 * workflow task again.
 */
export function resolveResetPoint(
  events: readonly HistoryEvent[],
  to: 'first-workflow-task' | 'last-workflow-task' | number,
): HistoryEvent {
  const points = resetPoints(events);
  if (!points.firstWorkflowTask) {
    throw new AppError('CONFLICT', 'no workflow task completed yet', {
      publicMessage: 'No workflow task has completed yet, so there is no point to reset to. Is a worker running?',
    });
  }
  if (to === 'first-workflow-task') return points.firstWorkflowTask;
  if (to === 'last-workflow-task') return points.lastWorkflowTask!;
  const event = events.find((candidate) => toNumber(candidate.eventId) === to);
  if (!event || !isType(event, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)) {
    throw new AppError('VALIDATION_FAILED', 'reset point is not a workflow task completion', {
      fields: [{ path: 'to', message: 'must be the event id of a WorkflowTaskCompleted event of the current run' }],
    });
  }
  return event;
}
