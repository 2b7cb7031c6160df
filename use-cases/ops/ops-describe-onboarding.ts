import type { TOpsOnboardingDescription } from '../../schemas/ops';
import type { StaffPrincipal } from '../staff-principal';
import { onboardingToOperate, type OpsDeps } from './ops-access';
import { failedReason, stuckReason } from './ops-diagnosis';
import {
  describeExecution,
  executionFacts,
  executionSummary,
  fetchRunHistory,
  pendingActivityState,
  webUiUrl,
} from './ops-execution';
import { failureType, summarizeHistory, timestampToIso } from './ops-history';

/**
 * Everything an operator needs about one onboarding, without PHI: the
 * projection's status and timeline (types and times), the form requests, and
 * Temporal's view of the current run with a summary of its history.
 */
export async function opsDescribeOnboarding(
  deps: OpsDeps,
  staff: StaffPrincipal,
  onboardingId: string,
): Promise<TOpsOnboardingDescription> {
  await onboardingToOperate(deps.db, staff, onboardingId);
  const onboarding = await deps.db.onboarding.findUniqueOrThrow({
    where: { id: onboardingId },
    select: {
      id: true,
      externalChartId: true,
      status: true,
      createdAt: true,
      updatedAt: true,
      chartCreatedAt: true,
      workflowId: true,
      events: { orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }], select: { type: true, occurredAt: true } },
      formRequests: {
        orderBy: { createdAt: 'asc' },
        select: { id: true, workflowId: true, status: true, createdAt: true },
      },
    },
  });

  const description = await describeExecution(deps, onboarding.workflowId);
  const events = description ? await fetchRunHistory(deps, onboarding.workflowId, description.runId) : null;
  const facts = executionFacts(description);

  return {
    id: onboarding.id,
    externalChartId: onboarding.externalChartId,
    status: onboarding.status,
    createdAt: onboarding.createdAt.toISOString(),
    updatedAt: onboarding.updatedAt.toISOString(),
    chartCreatedAt: onboarding.chartCreatedAt?.toISOString() ?? null,
    diagnosis: {
      stuck: stuckReason(onboarding.status, facts, new Date()),
      failed: failedReason(onboarding.status, facts),
    },
    timeline: onboarding.events.map((event) => ({ type: event.type, occurredAt: event.occurredAt.toISOString() })),
    formRequests: onboarding.formRequests.map((request) => ({
      id: request.id,
      workflowId: request.workflowId,
      status: request.status,
      createdAt: request.createdAt.toISOString(),
      webUiUrl: webUiUrl(deps, request.workflowId),
    })),
    workflow: {
      workflowId: onboarding.workflowId,
      namespace: deps.temporal.options.namespace,
      webUiUrl: webUiUrl(deps, onboarding.workflowId),
      execution: description
        ? {
            ...(await executionSummary(deps, description, events ?? [])),
            webUiUrl: webUiUrl(deps, onboarding.workflowId, description.runId),
            pendingActivityDetails: (description.raw.pendingActivities ?? []).map((activity) => ({
              activityType: activity.activityType?.name ?? 'unknown',
              state: pendingActivityState(activity.state),
              attempt: activity.attempt ?? 0,
              lastFailureType: failureType(activity.lastFailure),
              lastStartedTime: timestampToIso(activity.lastStartedTime),
              nextAttemptScheduleTime: timestampToIso(activity.nextAttemptScheduleTime),
            })),
            children: (description.raw.pendingChildren ?? []).map((child) => ({
              workflowId: child.workflowId ?? '',
              runId: child.runId || null,
              workflowType: child.workflowTypeName ?? 'unknown',
              webUiUrl: child.workflowId ? webUiUrl(deps, child.workflowId, child.runId || undefined) : null,
            })),
          }
        : null,
      history: events ? summarizeHistory(events) : null,
    },
  };
}
