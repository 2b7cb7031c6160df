/**
 * What the service needs from a card processor, and nothing more. Stripe
 * (stripe-provider.ts, the official SDK) is the real one; local-provider.ts
 * plays a hosted checkout page for `npm start` without a Stripe account, the
 * way the email outbox plays Resend.
 *
 * Card numbers never reach this service: a new card is entered on the
 * provider's hosted page (a Checkout Session), and a saved card is charged by
 * the provider's id for it. Every call that creates or charges carries an
 * idempotency key derived from the workflow and the step, so a retried
 * activity repeats the same call and the provider does it once.
 */

export type PaymentProviderKind = 'stripe' | 'local';

export interface ProviderCustomer {
  customerId: string;
}

export interface HostedCheckout {
  /** The provider's id of the session (Stripe: cs_…). */
  checkoutId: string;
  /** Where the client's browser goes to enter a card. */
  url: string;
}

export interface CheckoutRequest {
  customerId: string;
  amountCents: number;
  currency: string;
  /** One line the client sees on the provider's page and their statement, no PHI ("Payment to Demo Practice"). */
  description: string;
  /** The client ticked "save this card for future payments". */
  saveCard: boolean;
  /** Where the provider sends the browser after paying / on Cancel. */
  successUrl: string;
  cancelUrl: string;
  /** Our ids only (paymentRequestId, organizationId): they come back in webhooks. */
  metadata: Record<string, string>;
  idempotencyKey: string;
}

export interface CardSetupRequest {
  customerId: string;
  successUrl: string;
  cancelUrl: string;
  metadata: Record<string, string>;
  idempotencyKey: string;
}

export interface SavedCardCharge {
  customerId: string;
  paymentMethodId: string;
  amountCents: number;
  currency: string;
  description: string;
  /** Where a card that asks for 3-D Secure sends the client back to. */
  returnUrl: string;
  metadata: Record<string, string>;
  idempotencyKey: string;
}

export type ChargeStatus = 'succeeded' | 'processing' | 'requires_action' | 'failed';

export interface ChargeResult {
  paymentIntentId: string;
  status: ChargeStatus;
  /** For requires_action: the provider's page that finishes the payment (3-D Secure). */
  nextActionUrl?: string;
  failureMessage?: string;
}

/** A saved card as the client sees it: never more than brand, last four digits and expiry. */
export interface CardDetails {
  paymentMethodId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** What a payment turned out to be, read back from the provider (for the receipt and the saved card). */
export interface PaymentDetails {
  paymentIntentId: string;
  status: ChargeStatus;
  amountReceivedCents: number;
  /** Lower case, as the provider writes it ('usd'). */
  currency: string;
  /** The provider's customer the payment belongs to, if any. */
  customerId: string | null;
  /** The metadata we set when we created it: our paymentRequestId is how we know it is ours. */
  metadata: Record<string, string>;
  card: CardDetails | null;
}

/** Where a hosted checkout stands, for when its webhook never arrives. */
export interface CheckoutState {
  status: 'open' | 'complete' | 'expired';
  paymentIntentId: string | null;
  setupPaymentMethodId: string | null;
}

/**
 * A verified provider webhook, reduced to what the payment workflow acts on.
 * `paymentRequestId` comes from the metadata we set; events we did not start
 * (or do not act on) are `ignored`.
 */
export type PaymentEvent =
  | {
      eventId: string;
      kind: 'payment.succeeded';
      paymentRequestId: string;
      paymentIntentId: string;
      amountCents: number;
    }
  | {
      eventId: string;
      kind: 'payment.failed';
      paymentRequestId: string;
      paymentIntentId: string | null;
      reason: string;
    }
  | { eventId: string; kind: 'checkout.expired'; paymentRequestId: string }
  | { eventId: string; kind: 'card.saved'; paymentRequestId: string; paymentMethodId: string }
  | { eventId: string; kind: 'ignored'; type: string };

export interface PaymentProvider {
  readonly kind: PaymentProviderKind;
  /**
   * Every origin a portal form may be redirected to: the hosted checkout first
   * (e.g. https://checkout.stripe.com), then where a saved card's 3-D Secure
   * check happens. The portal's CSP form-action lists them.
   */
  readonly redirectOrigins: readonly string[];
  createCustomer(input: {
    organizationId: string;
    clientId: string;
    idempotencyKey: string;
  }): Promise<ProviderCustomer>;
  createCheckout(input: CheckoutRequest): Promise<HostedCheckout>;
  createCardSetup(input: CardSetupRequest): Promise<HostedCheckout>;
  chargeSavedCard(input: SavedCardCharge): Promise<ChargeResult>;
  getCheckout(checkoutId: string): Promise<CheckoutState>;
  /** Ends an unpaid checkout so it can no longer be paid (abandonment); an already-ended one is fine. */
  expireCheckout(checkoutId: string): Promise<void>;
  getPayment(paymentIntentId: string): Promise<PaymentDetails>;
  getCard(paymentMethodId: string): Promise<CardDetails>;
  detachCard(paymentMethodId: string): Promise<void>;
  setDefaultCard(customerId: string, paymentMethodId: string): Promise<void>;
  /**
   * Verifies a webhook's signature over the exact bytes received and maps it.
   * Throws WebhookSignatureError for a bad or missing signature or a stale timestamp.
   */
  parseWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): PaymentEvent;
}

export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

/** A correctly signed webhook whose body is not an event we can read: a 400, not a 500. */
export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookPayloadError';
  }
}

/** A call the provider refused for good (a declined card, a bad request): retrying repeats the answer. */
export class PaymentProviderRejected extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'PaymentProviderRejected';
  }
}
