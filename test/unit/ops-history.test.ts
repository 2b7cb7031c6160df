import { temporal } from '@temporalio/proto';
import type { AppError } from '../../use-cases/app-error';
import {
  closeFailureType,
  failureType,
  resetPoints,
  resolveResetPoint,
  summarizeHistory,
  toNumber,
  type HistoryEvent,
} from '../../use-cases/ops/ops-history';

const { EventType } = temporal.api.enums.v1;

/** Built as the client decodes it from the wire: 64-bit ids and times become Long. */
const event = (object: Record<string, unknown>): HistoryEvent =>
  temporal.api.history.v1.HistoryEvent.fromObject(object);

/** A workflow task (scheduled, started, completed) starting at `id`; returns its three events. */
function workflowTask(id: number): HistoryEvent[] {
  return [
    event({ eventId: id, eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED }),
    event({ eventId: id + 1, eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED }),
    event({ eventId: id + 2, eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED }),
  ];
}

function activity(id: number, scheduledBy: number, outcome: 'completed' | 'failed'): HistoryEvent[] {
  return [
    event({
      eventId: id,
      eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
      activityTaskScheduledEventAttributes: { workflowTaskCompletedEventId: scheduledBy },
    }),
    event({ eventId: id + 1, eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED }),
    outcome === 'completed'
      ? event({ eventId: id + 2, eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED })
      : event({
          eventId: id + 2,
          eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
          activityTaskFailedEventAttributes: {
            scheduledEventId: id,
            failure: { message: 'Florence Nightingale', applicationFailureInfo: { type: 'EmailInUse' } },
          },
        }),
  ];
}

/**
 * Our onboarding failing as it does in production: chart created, the
 * invitation refused for good, FAILED recorded, the error rethrown.
 */
function failedRun(): HistoryEvent[] {
  return [
    event({
      eventId: 1,
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
      eventTime: { seconds: 1_700_000_000, nanos: 5_000_000 },
    }),
    ...workflowTask(2),
    ...activity(5, 4, 'completed'),
    ...workflowTask(8),
    ...activity(11, 10, 'failed'),
    ...workflowTask(14),
    ...activity(17, 16, 'completed'),
    ...workflowTask(20),
    event({
      eventId: 23,
      eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
      workflowExecutionFailedEventAttributes: {
        failure: { message: 'Florence Nightingale', applicationFailureInfo: { type: 'EmailInUse' } },
      },
    }),
  ];
}

describe('reset points', () => {
  it('retries a failed run from the workflow task that scheduled the failed activity', () => {
    const points = resetPoints(failedRun());
    expect([points.firstWorkflowTask, points.lastWorkflowTask, points.retry].map((e) => toNumber(e?.eventId))).toEqual([
      4, 22, 10,
    ]);
  });

  it('retries a terminated run from its last workflow task', () => {
    const events = failedRun().slice(0, -1);
    events.push(event({ eventId: 23, eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED }));
    expect(toNumber(resetPoints(events).retry?.eventId)).toBe(22);
  });

  it('has none before the first workflow task completed', () => {
    const events = failedRun().slice(0, 2);
    expect(resetPoints(events)).toEqual({ firstWorkflowTask: null, lastWorkflowTask: null, retry: null });
    expect(() => resolveResetPoint(events, 'first-workflow-task')).toThrow(
      expect.objectContaining({ code: 'CONFLICT' }) as AppError,
    );
  });

  it('resolves first, last, or an event id that is a workflow task completion', () => {
    const events = failedRun();
    expect(toNumber(resolveResetPoint(events, 'first-workflow-task').eventId)).toBe(4);
    expect(toNumber(resolveResetPoint(events, 'last-workflow-task').eventId)).toBe(22);
    expect(toNumber(resolveResetPoint(events, 16).eventId)).toBe(16);
    for (const notACompletion of [13, 15, 99]) {
      expect(() => resolveResetPoint(events, notACompletion)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }) as AppError,
      );
    }
  });

  it('reads ids built by hand as plain numbers too', () => {
    const events: HistoryEvent[] = failedRun().map((wire) => ({ ...wire, eventId: toNumber(wire.eventId) as never }));
    expect(toNumber(resetPoints(events).retry?.eventId)).toBe(10);
  });
});

describe('the history summary', () => {
  it('counts event types and lists the last ten, with no failure message in it', () => {
    const summary = summarizeHistory(failedRun());
    expect(summary.events).toBe(23);
    expect(summary.counts).toMatchObject({
      WorkflowExecutionStarted: 1,
      WorkflowTaskCompleted: 4,
      ActivityTaskFailed: 1,
      WorkflowExecutionFailed: 1,
    });
    expect(summary.recent).toHaveLength(10);
    expect(summary.recent.at(-1)).toEqual({ eventId: 23, type: 'WorkflowExecutionFailed', time: null });
    expect(summary.resetPoints).toEqual({ firstWorkflowTask: 4, lastWorkflowTask: 22, retry: 10 });
    expect(summarizeHistory(failedRun().slice(0, 1)).recent[0]?.time).toBe('2023-11-14T22:13:20.005Z');
    expect(JSON.stringify(summary)).not.toContain('Florence');
  });
});

describe('failure types', () => {
  it('names the kind of failure, never its message', () => {
    expect(closeFailureType(failedRun())).toBe('EmailInUse');
    expect(failureType(null)).toBeNull();
    expect(failureType({ message: 'x', applicationFailureInfo: { type: '' } })).toBe('ApplicationFailure');
    expect(
      failureType({
        activityFailureInfo: {},
        cause: { timeoutFailureInfo: { timeoutType: temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE } },
      }),
    ).toBe('Timeout:StartToClose');
    expect(failureType({ activityFailureInfo: {} })).toBe('ActivityFailure');
    expect(failureType({ terminatedFailureInfo: {} })).toBe('Terminated');
    expect(closeFailureType([event({ eventId: 1, workflowExecutionTerminatedEventAttributes: {} })])).toBe(
      'Terminated',
    );
    expect(closeFailureType([event({ eventId: 1, workflowExecutionCompletedEventAttributes: {} })])).toBeNull();
  });
});
