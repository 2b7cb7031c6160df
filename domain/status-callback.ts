/**
 * Status callbacks: what we tell an EHR when one of its clients' onboardings
 * changes status (issue 6). Shared by the workflows that emit them, the
 * activity that delivers them and the API that lists the delivery log.
 *
 * The EHR already holds the client's chart; a callback names the chart by the
 * EHR's own id and otherwise carries ids, statuses and counts only, never PHI.
 */
import { temporalConfig } from '../temporal.config';
import type { OnboardingStatus } from './onboarding-status';

export const STATUS_CALLBACK_EVENTS = [
  'onboarding.registered',
  'onboarding.expired',
  'onboarding.forms_completed',
  'onboarding.cancelled',
  /** A portal payment was confirmed by the provider; the EHR, which owns billing, applies it. */
  'payment.succeeded',
  /** The invitation bounced for good or was marked as spam: the client will not get it until staff fix the address. */
  'invitation.bounced',
] as const;
export type StatusCallbackEvent = (typeof STATUS_CALLBACK_EVENTS)[number];

/** Delivery states of the log (enum outbound_webhook_status); a unit test keeps both lists identical. */
export const STATUS_CALLBACK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type StatusCallbackDeliveryStatus = (typeof STATUS_CALLBACK_DELIVERY_STATUSES)[number];

/** Extra ids and counts of an event (an invitation's sequence, a form request's id, a number of forms). */
export type StatusCallbackDetail = Record<string, string | number | null>;

export interface StatusCallbackEventInput {
  onboardingId: string;
  event: StatusCallbackEvent;
  /** The onboarding's status as the workflow saw it right after the change. */
  status: OnboardingStatus;
  /** Workflow time of the change (ISO): the payload's timestamp, the same on every attempt. */
  occurredAt: string;
  detail?: StatusCallbackDetail;
}

/** The body of a callback, in the Standard Webhooks envelope ({ type, timestamp, data }). */
export type StatusCallbackPayload = {
  type: StatusCallbackEvent;
  timestamp: string;
  data: StatusCallbackDetail & { onboardingId: string; externalChartId: string; status: OnboardingStatus };
};

export function statusCallbackPayload(input: StatusCallbackEventInput, externalChartId: string): StatusCallbackPayload {
  return {
    type: input.event,
    timestamp: input.occurredAt,
    // The named fields last, so a detail can never overwrite them.
    data: { ...input.detail, onboardingId: input.onboardingId, externalChartId, status: input.status },
  };
}

/**
 * `status-callback-<onboardingId>-<event>`, plus `-<n>` for an event that can
 * happen more than once (an invitation's expiry: its sequence number).
 */
export function statusCallbackWorkflowId(
  onboardingId: string,
  event: StatusCallbackEvent,
  n?: number | string,
): string {
  return `${temporalConfig.workflowIdPrefix.statusCallback}${onboardingId}-${event}${n === undefined ? '' : `-${n}`}`;
}
