/**
 * One payment request (Pay Now, an intake deposit, or saving a card): open it
 * at the provider → wait for the provider's signed confirmation (webhook →
 * signal) → record the payment against the invoices, email the client a
 * receipt, notify the admins and the assigned therapist, call back the EHR.
 * Unpaid when the wait runs out, or cancelled by the client: the checkout is
 * ended at the provider and the balance stays open with a clear status.
 *
 * The workflow id is derived from the request, and the request from the
 * review page the client confirmed, so a double click or a redelivered
 * webhook lands in the same flow; the flow records at most one payment.
 * A lost webhook is covered by asking the provider before giving up.
 */
import { condition, defineQuery, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BeginPaymentResult } from '../activities/payments';
import { activityProfiles, paymentDurations, temporalConfig } from '../temporal.config';

export interface PaymentRequestInput {
  paymentRequestId: string;
  kind: 'BALANCE' | 'DEPOSIT' | 'CARD_SETUP';
}

/** What the provider told us, by webhook (or what the local checkout page reports). */
export type PaymentSignal =
  | { kind: 'payment.succeeded'; paymentIntentId: string; amountCents: number }
  | { kind: 'payment.failed'; paymentIntentId: string | null; reason: string }
  | { kind: 'checkout.expired' }
  | { kind: 'card.saved'; paymentMethodId: string };

export type PaymentOutcome = 'SUCCEEDED' | 'FAILED' | 'ABANDONED';

export interface PaymentState {
  step: 'starting' | 'awaiting' | 'recording' | 'done';
  /** Where the client's browser goes next (a hosted checkout), once known. */
  redirectUrl: string | null;
  outcome: PaymentOutcome | null;
  receiptNumber: string | null;
  lastFailure: string | null;
}

/** What the API gets back when it asks where to send the client. */
export type CheckoutLink =
  { next: 'redirect'; url: string } | { next: 'status'; outcome: PaymentOutcome | null; reason: string | null };

export function paymentWorkflowId(paymentRequestId: string): string {
  return `${temporalConfig.workflowIdPrefix.payment}${paymentRequestId}`;
}

export const paymentEventSignal = defineSignal<[PaymentSignal]>('paymentEvent');
/** The client pressed Cancel on the provider's page: end the checkout now rather than at the timeout. */
export const cancelPaymentSignal = defineSignal('cancelPayment');
export const getPaymentStateQuery = defineQuery<PaymentState>('getPaymentState');
/** Answers once the provider step is done: a page to send the client to, or where the payment stands. */
export const checkoutLinkUpdate = defineUpdate<CheckoutLink>('checkoutLink');

const {
  beginPayment,
  checkPaymentWithProvider,
  closeUnpaidPayment,
  recordPayment,
  saveCardOnFile,
  sendPaymentReceipt,
  notifyStaffOfPayment,
  startStatusCallback,
} = proxyActivities<Activities>(activityProfiles.payments);

export async function paymentRequest(input: PaymentRequestInput): Promise<PaymentState> {
  const { paymentRequestId } = input;
  const state: PaymentState = {
    step: 'starting',
    redirectUrl: null,
    outcome: null,
    receiptNumber: null,
    lastFailure: null,
  };
  // In one object: TypeScript keeps no stale narrowing of properties that the handlers change.
  const got: {
    confirmed: { paymentIntentId: string; amountCents: number } | null;
    cardSaved: string | null;
    ended: { status: 'ABANDONED' | 'FAILED'; reason: string } | null;
    cancelRequested: boolean;
    chargedSavedCard: boolean;
  } = { confirmed: null, cardSaved: null, ended: null, cancelRequested: false, chargedSavedCard: false };

  setHandler(getPaymentStateQuery, () => state);
  setHandler(checkoutLinkUpdate, async (): Promise<CheckoutLink> => {
    await condition(() => state.step !== 'starting');
    return state.redirectUrl && state.step === 'awaiting'
      ? { next: 'redirect', url: state.redirectUrl }
      : { next: 'status', outcome: state.outcome, reason: state.lastFailure };
  });
  setHandler(paymentEventSignal, (event) => {
    // The first confirmation wins; a redelivered or late event changes nothing.
    if (got.confirmed || got.cardSaved || got.ended) return;
    switch (event.kind) {
      case 'payment.succeeded':
        got.confirmed = { paymentIntentId: event.paymentIntentId, amountCents: event.amountCents };
        break;
      case 'card.saved':
        got.cardSaved = event.paymentMethodId;
        break;
      case 'payment.failed':
        // On a hosted page the client may try another card; a saved card's decline is final.
        state.lastFailure = event.reason;
        if (got.chargedSavedCard) got.ended = { status: 'FAILED', reason: event.reason };
        break;
      case 'checkout.expired':
        got.ended = { status: 'ABANDONED', reason: 'checkout-expired' };
        break;
    }
  });
  setHandler(cancelPaymentSignal, () => {
    got.cancelRequested = true;
  });

  const begun: BeginPaymentResult = await beginPayment({ paymentRequestId });
  if (begun.mode === 'failed') {
    state.lastFailure = begun.reason;
    state.outcome = 'FAILED';
    state.step = 'done';
    return state;
  }
  if (begun.mode === 'redirect') {
    state.redirectUrl = begun.url;
  } else {
    got.chargedSavedCard = true;
    if (begun.status === 'succeeded') {
      got.confirmed = { paymentIntentId: begun.paymentIntentId, amountCents: begun.amountCents };
    }
  }
  state.step = 'awaiting';

  const settled = () => got.confirmed !== null || got.cardSaved !== null || got.ended !== null;
  let deadline = Date.now() + paymentDurations.checkoutTimeoutMs;
  let stillProcessingChecks = 0;
  while (!settled()) {
    const left = deadline - Date.now();
    if (left > 0 && !got.cancelRequested) {
      await condition(() => settled() || got.cancelRequested, left);
      continue;
    }
    // Out of time, or the client cancelled: ask the provider (ending the checkout first, so nobody
    // pays it after this) in case the confirmation was lost or crossed the Cancel.
    const found = await checkPaymentWithProvider({ paymentRequestId, expire: true });
    if (found.outcome === 'paid') {
      got.confirmed = { paymentIntentId: found.paymentIntentId, amountCents: found.amountCents };
    } else if (found.outcome === 'card-saved') {
      got.cardSaved = found.paymentMethodId;
    } else if (found.outcome === 'open' && stillProcessingChecks < paymentDurations.maxProcessingChecks) {
      // A charge the provider is still processing cannot be called off: giving up now could leave a
      // payment taken and never recorded. Wait for its webhook another while, and ask again.
      stillProcessingChecks += 1;
      deadline = Date.now() + paymentDurations.checkoutTimeoutMs;
      got.cancelRequested = false;
    } else {
      got.ended =
        found.outcome === 'open'
          ? { status: 'FAILED', reason: 'unconfirmed-by-provider' }
          : { status: 'ABANDONED', reason: got.cancelRequested ? 'cancelled-by-client' : 'timed-out' };
    }
  }

  state.step = 'recording';
  const { confirmed, cardSaved, ended } = got;
  if (cardSaved) {
    await saveCardOnFile({ paymentRequestId, paymentMethodId: cardSaved });
    state.outcome = 'SUCCEEDED';
  } else if (confirmed) {
    const recorded = await recordPayment({ paymentRequestId, ...confirmed });
    state.outcome = 'SUCCEEDED';
    state.receiptNumber = recorded.receiptNumber;
    await sendPaymentReceipt({ paymentRequestId });
    await notifyStaffOfPayment({ paymentRequestId });
    if (recorded.onboardingId && recorded.onboardingStatus) {
      await startStatusCallback({
        onboardingId: recorded.onboardingId,
        event: 'payment.succeeded',
        status: recorded.onboardingStatus,
        occurredAt: new Date().toISOString(),
        detail: {
          paymentRequestId,
          kind: input.kind,
          amountCents: confirmed.amountCents,
          currency: 'usd',
          receiptNumber: recorded.receiptNumber,
          externalInvoiceIds: recorded.allocatedToInvoices.join(','),
        },
        n: paymentRequestId,
      });
    }
  } else if (ended) {
    const { status, reason } = ended;
    await closeUnpaidPayment({ paymentRequestId, status, reason });
    state.outcome = status;
    state.lastFailure = reason;
  }
  state.step = 'done';
  return state;
}
