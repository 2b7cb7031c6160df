import { WorkflowNotFoundError, type Client as TemporalClient } from '@temporalio/client';
import type { Db } from '../../db/client';
import type { PaymentEvent, PaymentProviderKind } from '../../payments/payment-provider';
import { paymentEventSignal, type PaymentSignal } from '../../workflows/payment';
import { AppError } from '../app-error';

export interface ReceivedPaymentEvent {
  /** False for an event taken before (a redelivery): nothing was done. */
  accepted: boolean;
  paymentRequestId: string | null;
  /**
   * A confirmed payment for a request whose flow had already ended without
   * recording one (abandoned or failed first): money moved that the portal
   * does not show. Someone must reconcile it at the provider; the caller logs it.
   */
  unrecorded?: boolean;
}

/**
 * A verified provider event (Stripe's webhook, or the local checkout page):
 * signalled to its payment's workflow, then logged by event id. A redelivery
 * finds the log entry and does nothing; one that arrives after the workflow
 * ended is logged and ignored. If Temporal is down the caller answers 503
 * and the provider retries: nothing is logged before the signal went in.
 */
export async function receivePaymentEvent(
  deps: { db: Db; temporal: TemporalClient },
  provider: PaymentProviderKind,
  event: PaymentEvent,
): Promise<ReceivedPaymentEvent> {
  const seen = await deps.db.paymentProviderEvent.findUnique({ where: { eventId: event.eventId } });
  if (seen) return { accepted: false, paymentRequestId: seen.paymentRequestId };
  const request =
    event.kind === 'ignored'
      ? null
      : await deps.db.paymentRequest.findUnique({
          where: { id: event.paymentRequestId },
          select: { id: true, workflowId: true, status: true },
        });
  let unrecorded = false;
  if (event.kind !== 'ignored' && request) {
    const signal: PaymentSignal =
      event.kind === 'payment.succeeded'
        ? { kind: event.kind, paymentIntentId: event.paymentIntentId, amountCents: event.amountCents }
        : event.kind === 'payment.failed'
          ? { kind: event.kind, paymentIntentId: event.paymentIntentId, reason: event.reason }
          : event.kind === 'card.saved'
            ? { kind: event.kind, paymentMethodId: event.paymentMethodId }
            : { kind: event.kind };
    try {
      await deps.temporal.workflow.getHandle(request.workflowId).signal(paymentEventSignal, signal);
    } catch (error) {
      // Ended already (paid and recorded, or abandoned): the event changes nothing.
      if (!(error instanceof WorkflowNotFoundError)) {
        throw new AppError('UNAVAILABLE', 'could not signal the payment workflow', { cause: error });
      }
      unrecorded = event.kind === 'payment.succeeded' && request.status !== 'SUCCEEDED';
    }
  }
  await deps.db.paymentProviderEvent.createMany({
    data: [{ eventId: event.eventId, provider, kind: event.kind, paymentRequestId: request?.id ?? null }],
    skipDuplicates: true,
  });
  return { accepted: true, paymentRequestId: request?.id ?? null, ...(unrecorded ? { unrecorded } : {}) };
}
