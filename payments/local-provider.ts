/**
 * The payment provider of `npm start` without a Stripe account: what the
 * email outbox is to Resend. Its "hosted checkout" is a page of our own API
 * (/dev/checkout/:id, web/dev/local-checkout.ts) that asks for no card at all:
 * it shows the amount and a button that pays with a pretend Visa ending 4242,
 * then reports the outcome the way Stripe's webhook would.
 *
 * State lives in this process's memory, which is enough for `npm start`
 * (API and worker in one process). After a restart an open checkout is
 * unknown, reads as expired, and its workflow leaves the balance open.
 * Never used in production: config/env.ts takes it only as PAYMENTS_PROVIDER=local.
 */
import { createHash } from 'node:crypto';
import {
  WebhookSignatureError,
  type CardDetails,
  type CardSetupRequest,
  type CheckoutRequest,
  type HostedCheckout,
  type PaymentDetails,
  type PaymentEvent,
  type PaymentProvider,
} from './payment-provider';

interface LocalCheckout {
  mode: 'payment' | 'setup';
  amountCents: number;
  currency: string;
  description: string;
  saveCard: boolean;
  successUrl: string;
  cancelUrl: string;
  paymentRequestId: string;
  customerId: string;
  metadata: Record<string, string>;
  status: 'open' | 'complete' | 'expired';
  paymentIntentId: string | null;
  paymentMethodId: string | null;
}

export interface LocalCheckoutView {
  checkoutId: string;
  mode: 'payment' | 'setup';
  amountCents: number;
  currency: string;
  description: string;
  status: LocalCheckout['status'];
  successUrl: string;
  cancelUrl: string;
}

export interface LocalPaymentProvider extends PaymentProvider {
  readonly kind: 'local';
  /** The checkout page's view of a session, or null for an unknown one. */
  viewCheckout(checkoutId: string): LocalCheckoutView | null;
  /** "Pay" on the local checkout page: completes it and returns the event Stripe's webhook would carry. */
  completeCheckout(checkoutId: string): PaymentEvent | null;
}

const TEST_CARD = { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2034 };

/** Ids derived from the idempotency key: the same call twice gives the same object, as at Stripe. */
function idFor(prefix: string, key: string): string {
  return `${prefix}_local_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** `options.publicBaseUrl` is read at each call, so a test can learn its API's port after creating this. */
export function createLocalPaymentProvider(options: { publicBaseUrl: string }): LocalPaymentProvider {
  const checkouts = new Map<string, LocalCheckout>();
  const payments = new Map<string, PaymentDetails>();
  const cards = new Map<string, CardDetails>();
  let eventCounter = 0;

  const open = (mode: 'payment' | 'setup', input: CheckoutRequest | CardSetupRequest): HostedCheckout => {
    const checkoutId = idFor('cs', input.idempotencyKey);
    if (!checkouts.has(checkoutId)) {
      checkouts.set(checkoutId, {
        mode,
        amountCents: 'amountCents' in input ? input.amountCents : 0,
        currency: 'currency' in input ? input.currency : 'usd',
        description: 'description' in input ? input.description : 'Save a card for future payments',
        saveCard: 'saveCard' in input ? input.saveCard : true,
        successUrl: input.successUrl,
        cancelUrl: input.cancelUrl,
        paymentRequestId: input.metadata.paymentRequestId ?? '',
        customerId: input.customerId,
        metadata: { ...input.metadata },
        status: 'open',
        paymentIntentId: null,
        paymentMethodId: null,
      });
    }
    return { checkoutId, url: `${options.publicBaseUrl}/dev/checkout/${checkoutId}` };
  };

  const newCard = (seed: string): CardDetails => {
    const card = { paymentMethodId: idFor('pm', seed), ...TEST_CARD };
    cards.set(card.paymentMethodId, card);
    return card;
  };

  return {
    kind: 'local',
    get redirectOrigins() {
      return [new URL(options.publicBaseUrl).origin];
    },

    async createCustomer({ clientId }) {
      return { customerId: idFor('cus', clientId) };
    },
    async createCheckout(input) {
      return open('payment', input);
    },
    async createCardSetup(input) {
      return open('setup', input);
    },
    async chargeSavedCard(input) {
      const paymentIntentId = idFor('pi', input.idempotencyKey);
      const card = cards.get(input.paymentMethodId) ?? null;
      payments.set(paymentIntentId, {
        paymentIntentId,
        status: card ? 'succeeded' : 'failed',
        amountReceivedCents: card ? input.amountCents : 0,
        currency: input.currency,
        customerId: input.customerId,
        metadata: { ...input.metadata },
        card,
      });
      return card
        ? { paymentIntentId, status: 'succeeded' }
        : { paymentIntentId, status: 'failed', failureMessage: 'This card is not known to the local checkout.' };
    },
    async getCheckout(checkoutId) {
      const checkout = checkouts.get(checkoutId);
      if (!checkout) return { status: 'expired', paymentIntentId: null, setupPaymentMethodId: null };
      return {
        status: checkout.status,
        paymentIntentId: checkout.paymentIntentId,
        setupPaymentMethodId: checkout.mode === 'setup' ? checkout.paymentMethodId : null,
      };
    },
    async expireCheckout(checkoutId) {
      const checkout = checkouts.get(checkoutId);
      if (checkout?.status === 'open') checkout.status = 'expired';
    },
    async getPayment(paymentIntentId) {
      return (
        payments.get(paymentIntentId) ?? {
          paymentIntentId,
          status: 'failed',
          amountReceivedCents: 0,
          currency: 'usd',
          customerId: null,
          metadata: {},
          card: null,
        }
      );
    },
    async getCard(paymentMethodId) {
      return cards.get(paymentMethodId) ?? { paymentMethodId, ...TEST_CARD };
    },
    async detachCard(paymentMethodId) {
      cards.delete(paymentMethodId);
    },
    async setDefaultCard() {},
    parseWebhook() {
      // The local checkout reports in-process (completeCheckout); nothing may post to it from outside.
      throw new WebhookSignatureError('the local payment provider takes no webhooks');
    },

    viewCheckout(checkoutId) {
      const checkout = checkouts.get(checkoutId);
      if (!checkout) return null;
      const { mode, amountCents, currency, description, status, successUrl, cancelUrl } = checkout;
      return { checkoutId, mode, amountCents, currency, description, status, successUrl, cancelUrl };
    },
    completeCheckout(checkoutId) {
      const checkout = checkouts.get(checkoutId);
      if (!checkout || checkout.status !== 'open') return null;
      checkout.status = 'complete';
      eventCounter += 1;
      const eventId = `evt_local_${checkoutId}_${eventCounter}`;
      if (checkout.mode === 'setup') {
        checkout.paymentMethodId = newCard(checkoutId).paymentMethodId;
        return {
          eventId,
          kind: 'card.saved',
          paymentRequestId: checkout.paymentRequestId,
          paymentMethodId: checkout.paymentMethodId,
        };
      }
      const card = newCard(checkoutId);
      checkout.paymentIntentId = idFor('pi', checkoutId);
      payments.set(checkout.paymentIntentId, {
        paymentIntentId: checkout.paymentIntentId,
        status: 'succeeded',
        amountReceivedCents: checkout.amountCents,
        currency: checkout.currency,
        customerId: checkout.customerId,
        metadata: checkout.metadata,
        card,
      });
      return {
        eventId,
        kind: 'payment.succeeded',
        paymentRequestId: checkout.paymentRequestId,
        paymentIntentId: checkout.paymentIntentId,
        amountCents: checkout.amountCents,
      };
    },
  };
}
