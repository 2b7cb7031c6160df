/**
 * The alarm when repeated wrong tries pause a staff member's sign-in (issue
 * 14, item 3): a metric and a log line for the on-call engineer, and an
 * email to the practice's admins, who know whether it was their colleague.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from '../../observability/logger';
import type { AppMetrics } from '../../observability/metrics';
import { temporalConfig } from '../../temporal.config';
import { staffPauseAlert, type StaffPauseAlertInput } from '../../workflows/staff-pause-alert';

export interface StaffPauseAlarmDeps {
  temporal: Client;
  taskQueue: string;
  logger?: Logger;
  metrics?: AppMetrics;
}

/**
 * Raises the alarm for one pause. Never throws and is not awaited by the
 * sign-in: the person at the door gets the same answer, as fast, whether or
 * not the alert could be started. Ids only in the log, never the email tried.
 */
export function raiseStaffPauseAlarm(
  deps: StaffPauseAlarmDeps,
  organizationId: string,
  door: StaffPauseAlertInput['door'],
): (staffUserId: string, pausedUntil: Date) => void {
  return (staffUserId, pausedUntil) => {
    deps.metrics?.signInPauses.inc({ door: 'staff' });
    deps.logger?.warn(
      { staffUserId, organizationId, door },
      door === 'password'
        ? 'staff sign-in paused after repeated wrong passwords'
        : 'staff sign-in paused after repeated wrong codes',
    );
    const input: StaffPauseAlertInput = { staffUserId, pausedUntil: pausedUntil.toISOString(), door };
    deps.temporal.workflow
      .start(staffPauseAlert, {
        // The pause's own name: a second request that saw the same pause begin starts nothing.
        workflowId: `${temporalConfig.workflowIdPrefix.staffPauseAlert}${staffUserId}-${pausedUntil.getTime()}`,
        taskQueue: deps.taskQueue,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      })
      .catch((error: unknown) => {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return;
        deps.logger?.error({ err: error, staffUserId, organizationId }, 'could not start the admins’ pause alert');
      });
  };
}
