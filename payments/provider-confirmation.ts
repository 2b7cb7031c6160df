/**
 * Whether the provider itself says a payment happened as we asked for it.
 *
 * The payment workflow learns of a payment from a signal, and a signal can be
 * sent by anyone who can reach the Temporal namespace. So nothing is recorded
 * on the signal's word: the payment is read back from the provider and must
 * be succeeded, for exactly the request's amount and currency, carry our
 * request id in its metadata, and belong to the client's customer at the
 * provider. Anything else is refused and never becomes a receipt.
 */
import type { PaymentDetails } from './payment-provider';

export interface ExpectedPayment {
  paymentRequestId: string;
  amountCents: number;
  currency: string;
  /** The client's customer at the provider; null if we never created one (then no payment can be theirs). */
  customerId: string | null;
}

/** Why the provider's record does not confirm the payment, or null when it does. `pending` may still change. */
export function confirmationProblem(
  details: PaymentDetails,
  expected: ExpectedPayment,
): { reason: string; pending: boolean } | null {
  if (details.status === 'processing') return { reason: 'the provider is still processing it', pending: true };
  if (details.status !== 'succeeded') return { reason: `the provider says ${details.status}`, pending: false };
  if (details.metadata.paymentRequestId !== expected.paymentRequestId) {
    return { reason: 'it carries another payment request id, or none', pending: false };
  }
  if (details.amountReceivedCents !== expected.amountCents) {
    return { reason: 'the amount received is not the amount asked for', pending: false };
  }
  if (details.currency.toLowerCase() !== expected.currency.toLowerCase()) {
    return { reason: 'the currency is not the one asked for', pending: false };
  }
  if (expected.customerId === null || details.customerId !== expected.customerId) {
    return { reason: 'it belongs to another customer at the provider', pending: false };
  }
  return null;
}
