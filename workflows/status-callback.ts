/**
 * One status callback to the EHR (registered, expired, forms completed,
 * cancelled): POST it, retrying with backoff for about a day, and leave the
 * outcome in the delivery log.
 *
 * A workflow of its own, started by the onboarding's startStatusCallback
 * activity, so a slow or absent EHR never holds the onboarding up and delivery
 * goes on after the onboarding has ended. Its id is derived from the
 * onboarding and the event: starting it twice for the same event is refused by
 * Temporal, and the same id is the webhook-id the EHR deduplicates our retries on.
 */
import {
  ActivityFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StatusCallbackEventInput } from '../domain/status-callback';
import { activityProfiles } from '../temporal.config';

export type StatusCallbackInput = StatusCallbackEventInput;

export type StatusCallbackOutcome =
  | { outcome: 'delivered'; attempts: number }
  | { outcome: 'no-endpoint' }
  /** Retries exhausted or refused by the EHR: the delivery log says FAILED and why. */
  | { outcome: 'failed' };

const { deliverStatusCallback } = proxyActivities<Activities>(activityProfiles.statusCallback);
const { markStatusCallbackFailed } = proxyActivities<Activities>(activityProfiles.database);

export async function statusCallback(input: StatusCallbackInput): Promise<StatusCallbackOutcome> {
  const { workflowId: webhookId } = workflowInfo();
  try {
    return await deliverStatusCallback({ ...input, webhookId });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    // Given up (or cancelled by an operator): the log must say so rather than stay PENDING.
    await CancellationScope.nonCancellable(() => markStatusCallbackFailed({ webhookId }));
    if (isCancellation(error)) throw error;
    return { outcome: 'failed' };
  }
}
