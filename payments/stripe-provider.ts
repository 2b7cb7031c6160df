/**
 * The real card processor: Stripe, through its official SDK (`stripe`, pinned).
 *
 * What Stripe sees of a client is our ids only (organisation, client, payment
 * request) in metadata: no name, no email, no PHI. Card data never passes
 * through here: new cards go into Stripe's hosted Checkout page, saved cards
 * are Stripe's PaymentMethod ids. Every call that creates or charges sends the
 * caller's idempotency key, and its parameters are built from the input alone
 * (no clock, no randomness), so a retried activity repeats the very same
 * request and Stripe answers it once. (That is why no `expires_at` is sent on
 * a Checkout Session: "now + 30 minutes" would differ on a retry and Stripe
 * refuses a reused key with different parameters. Sessions keep Stripe's
 * 24-hour default; the workflow ends an abandoned one with expireCheckout.)
 *
 * Errors: a decline on a saved-card charge is a `failed` result; any other
 * request Stripe refuses for good (invalid, idempotency conflict) is a
 * PaymentProviderRejected; network errors, 5xx, 429 and authentication or
 * permission errors are rethrown as the SDK's own errors, for the activity to
 * retry (the SDK itself retries connection errors and 5xx twice, same key).
 *
 * Tests run it against stripe-mock (test/payments/stripe-provider.test.ts).
 */
import Stripe from 'stripe';
import {
  PaymentProviderRejected,
  WebhookPayloadError,
  WebhookSignatureError,
  type CardDetails,
  type ChargeStatus,
  type CheckoutState,
  type HostedCheckout,
  type PaymentEvent,
  type PaymentProvider,
} from './payment-provider';

export interface StripeProviderOptions {
  /** sk_… or rk_… */
  secretKey: string;
  /** The webhook endpoint's signing secret (whsec_…). */
  webhookSecret: string;
  /** Another API origin than https://api.stripe.com, e.g. http://127.0.0.1:12111 for stripe-mock. */
  apiBaseUrl?: string;
  /** Origin of the hosted pages, for the portal's CSP form-action. Default https://checkout.stripe.com. */
  checkoutOrigin?: string;
  /** The SDK's own retries of connection errors and 5xx (same idempotency key). Default 2. */
  maxNetworkRetries?: number;
  /**
   * Currency of a card-setup Checkout Session. Stripe requires one in setup
   * mode (it decides which payment methods the page offers) and
   * CardSetupRequest carries none; the portal bills in USD only.
   */
  setupCurrency?: string;
}

/** The metadata key every object we create carries, and webhooks are matched by. */
const PAYMENT_REQUEST_KEY = 'paymentRequestId';

function sdkConnection(apiBaseUrl: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiBaseUrl) return {};
  const url = new URL(apiBaseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Stripe API base URL must be http(s): ${apiBaseUrl}`);
  }
  if (url.pathname !== '/' || url.search) {
    throw new Error(`Stripe API base URL must be an origin without a path: ${apiBaseUrl}`);
  }
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { protocol, host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443) };
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our id from the metadata we set; anything else (not ours, or not an id at all) is no request of ours. */
function paymentRequestIdOf(metadata: Stripe.Metadata | null | undefined): string | null {
  const value = metadata?.[PAYMENT_REQUEST_KEY];
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null;
}

function cardOf(paymentMethod: Stripe.PaymentMethod): CardDetails | null {
  const { card } = paymentMethod;
  if (!card) return null;
  return {
    paymentMethodId: paymentMethod.id,
    brand: card.brand,
    last4: card.last4,
    expMonth: card.exp_month,
    expYear: card.exp_year,
  };
}

/**
 * A PaymentIntent's status in our four words. `requires_payment_method` is
 * what Stripe leaves after a failed attempt (a decline, failed 3-D Secure) and
 * `canceled` is final: both `failed`. `requires_confirmation` needs another
 * step like `requires_action`. Anything else (`requires_capture`, statuses
 * Stripe may add) is not final yet: `processing`, so the caller asks again.
 */
function chargeStatusOf(status: Stripe.PaymentIntent.Status): ChargeStatus {
  switch (status) {
    case 'succeeded':
      return 'succeeded';
    case 'requires_action':
    case 'requires_confirmation':
      return 'requires_action';
    case 'requires_payment_method':
    case 'canceled':
      return 'failed';
    case 'processing':
    case 'requires_capture':
      return 'processing';
    default:
      return 'processing';
  }
}

/** Refused for good → PaymentProviderRejected; everything else (network, 5xx, 429, auth) as it came. */
function rejectedOrAsIs(error: unknown): unknown {
  if (
    error instanceof Stripe.errors.StripeInvalidRequestError ||
    error instanceof Stripe.errors.StripeIdempotencyError ||
    error instanceof Stripe.errors.StripeCardError
  ) {
    return new PaymentProviderRejected(error.message, error.code ?? error.type);
  }
  return error;
}

async function call<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw rejectedOrAsIs(error);
  }
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
    return value;
  }
  return undefined;
}

/** What Stripe says when a checkout payment by bank debit or similar fails after the page. */
const ASYNC_PAYMENT_FAILED = 'The payment did not go through after checkout.';

function paymentFailureReason(intent: Stripe.PaymentIntent): string {
  return intent.last_payment_error?.message ?? intent.last_payment_error?.code ?? 'The payment failed.';
}

/** A paid Checkout Session as payment.succeeded, or null when it is not (yet) paid. */
function succeededCheckout(eventId: string, paymentRequestId: string, session: Stripe.Checkout.Session) {
  const paymentIntentId = idOf(session.payment_intent);
  if (session.mode !== 'payment' || session.payment_status !== 'paid') return null;
  if (!paymentIntentId || session.amount_total === null) return null;
  return {
    eventId,
    kind: 'payment.succeeded' as const,
    paymentRequestId,
    paymentIntentId,
    amountCents: session.amount_total,
  };
}

/** Reduces a verified Stripe event to what the payment workflow acts on; every other type is ignored. */
function paymentEventOf(event: Stripe.Event): PaymentEvent {
  const ignored: PaymentEvent = { eventId: event.id, kind: 'ignored', type: event.type };
  const eventId = event.id;

  if (event.type === 'checkout.session.completed') {
    const session = event.data.object;
    const paymentRequestId = paymentRequestIdOf(session.metadata);
    if (!paymentRequestId) return ignored;
    if (session.mode === 'setup') {
      // Stripe's events never expand setup_intent, so this carries only its id; the
      // card arrives with setup_intent.succeeded (below), or getCheckout resolves it.
      const setupIntent = session.setup_intent;
      const paymentMethodId = typeof setupIntent === 'object' ? idOf(setupIntent?.payment_method) : null;
      return paymentMethodId ? { eventId, kind: 'card.saved', paymentRequestId, paymentMethodId } : ignored;
    }
    // payment_status 'unpaid': an asynchronous method (bank debit) still settling;
    // checkout.session.async_payment_succeeded or _failed follows.
    return succeededCheckout(eventId, paymentRequestId, session) ?? ignored;
  }
  if (event.type === 'checkout.session.async_payment_succeeded') {
    const session = event.data.object;
    const paymentRequestId = paymentRequestIdOf(session.metadata);
    if (!paymentRequestId) return ignored;
    return succeededCheckout(eventId, paymentRequestId, session) ?? ignored;
  }
  if (event.type === 'checkout.session.async_payment_failed') {
    const session = event.data.object;
    const paymentRequestId = paymentRequestIdOf(session.metadata);
    if (!paymentRequestId) return ignored;
    const paymentIntentId = idOf(session.payment_intent);
    return { eventId, kind: 'payment.failed', paymentRequestId, paymentIntentId, reason: ASYNC_PAYMENT_FAILED };
  }
  if (event.type === 'checkout.session.expired') {
    const paymentRequestId = paymentRequestIdOf(event.data.object.metadata);
    if (!paymentRequestId) return ignored;
    return { eventId, kind: 'checkout.expired', paymentRequestId };
  }
  if (event.type === 'payment_intent.succeeded') {
    const intent = event.data.object;
    const paymentRequestId = paymentRequestIdOf(intent.metadata);
    if (!paymentRequestId) return ignored;
    return {
      eventId,
      kind: 'payment.succeeded',
      paymentRequestId,
      paymentIntentId: intent.id,
      amountCents: intent.amount_received,
    };
  }
  if (event.type === 'payment_intent.payment_failed') {
    const intent = event.data.object;
    const paymentRequestId = paymentRequestIdOf(intent.metadata);
    if (!paymentRequestId) return ignored;
    const reason = paymentFailureReason(intent);
    return { eventId, kind: 'payment.failed', paymentRequestId, paymentIntentId: intent.id, reason };
  }
  if (event.type === 'setup_intent.succeeded') {
    // A card-setup Checkout Session puts our metadata on its SetupIntent too
    // (setup_intent_data.metadata), and this event carries the saved card's id.
    const intent = event.data.object;
    const paymentRequestId = paymentRequestIdOf(intent.metadata);
    const paymentMethodId = idOf(intent.payment_method);
    if (!paymentRequestId || !paymentMethodId) return ignored;
    return { eventId, kind: 'card.saved', paymentRequestId, paymentMethodId };
  }
  return ignored;
}

export function createStripeProvider(options: StripeProviderOptions): PaymentProvider & { readonly kind: 'stripe' } {
  if (!options.secretKey.trim()) throw new Error('Stripe secret key is empty');
  if (!options.webhookSecret.trim()) throw new Error('Stripe webhook secret is empty');
  const { webhookSecret } = options;
  const setupCurrency = (options.setupCurrency ?? 'usd').toLowerCase();
  const stripe = new Stripe(options.secretKey, {
    ...sdkConnection(options.apiBaseUrl),
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    appInfo: { name: 'client-portal-onboarding' },
  });

  /** A hosted Checkout Session (payment or setup mode), and where to send the browser. */
  const openCheckout = async (
    params: Stripe.Checkout.SessionCreateParams,
    idempotencyKey: string,
  ): Promise<HostedCheckout> => {
    const session = await call(() => stripe.checkout.sessions.create(params, { idempotencyKey }));
    if (!session.url) throw new Error(`Stripe returned Checkout Session ${session.id} without a URL`);
    return { checkoutId: session.id, url: session.url };
  };

  return {
    kind: 'stripe',
    // A saved card's 3-D Secure redirect (next_action.redirect_to_url) is served from hooks.stripe.com.
    redirectOrigins: [options.checkoutOrigin ?? 'https://checkout.stripe.com', 'https://hooks.stripe.com'],

    async createCustomer({ organizationId, clientId, idempotencyKey }) {
      const customer = await call(() =>
        stripe.customers.create({ metadata: { organizationId, clientId } }, { idempotencyKey }),
      );
      return { customerId: customer.id };
    },

    async createCheckout(input) {
      return openCheckout(
        {
          mode: 'payment',
          customer: input.customerId,
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: input.currency.toLowerCase(),
                unit_amount: input.amountCents,
                product_data: { name: input.description },
              },
            },
          ],
          payment_intent_data: {
            description: input.description,
            metadata: input.metadata,
            // Only with the client's consent ("save this card"): Stripe then keeps the card on the customer.
            ...(input.saveCard ? { setup_future_usage: 'off_session' as const } : {}),
          },
          metadata: input.metadata,
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        input.idempotencyKey,
      );
    },

    async createCardSetup(input) {
      return openCheckout(
        {
          mode: 'setup',
          customer: input.customerId,
          currency: setupCurrency,
          // On the SetupIntent too, so setup_intent.succeeded (which names the card) is ours.
          setup_intent_data: { metadata: input.metadata },
          metadata: input.metadata,
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        input.idempotencyKey,
      );
    },

    async chargeSavedCard(input) {
      let intent: Stripe.PaymentIntent;
      try {
        intent = await stripe.paymentIntents.create(
          {
            amount: input.amountCents,
            currency: input.currency.toLowerCase(),
            customer: input.customerId,
            payment_method: input.paymentMethodId,
            confirm: true,
            return_url: input.returnUrl,
            description: input.description,
            metadata: input.metadata,
          },
          { idempotencyKey: input.idempotencyKey },
        );
      } catch (error) {
        // A decline: Stripe answers 402 with the failed PaymentIntent in the error.
        const declined = error instanceof Stripe.errors.StripeCardError ? idOf(error.payment_intent) : null;
        if (declined) return { paymentIntentId: declined, status: 'failed', failureMessage: (error as Error).message };
        throw rejectedOrAsIs(error);
      }
      const status = chargeStatusOf(intent.status);
      const nextActionUrl = intent.next_action?.redirect_to_url?.url;
      return {
        paymentIntentId: intent.id,
        status,
        ...(status === 'requires_action' && nextActionUrl ? { nextActionUrl } : {}),
        ...(status === 'failed' ? { failureMessage: paymentFailureReason(intent) } : {}),
      };
    },

    async getCheckout(checkoutId): Promise<CheckoutState> {
      const session = await call(() => stripe.checkout.sessions.retrieve(checkoutId, { expand: ['setup_intent'] }));
      const status = session.status === 'complete' ? 'complete' : session.status === 'expired' ? 'expired' : 'open';
      const setupIntent = session.mode === 'setup' ? session.setup_intent : null;
      return {
        status,
        paymentIntentId: session.mode === 'payment' ? idOf(session.payment_intent) : null,
        setupPaymentMethodId: typeof setupIntent === 'object' ? idOf(setupIntent?.payment_method) : null,
      };
    },

    async expireCheckout(checkoutId) {
      try {
        await stripe.checkout.sessions.expire(checkoutId);
      } catch (error) {
        // Stripe refuses to expire a session that is no longer open ("…has a status of `complete`");
        // read it back rather than trust the wording of the message.
        if (error instanceof Stripe.errors.StripeInvalidRequestError) {
          const session = await call(() => stripe.checkout.sessions.retrieve(checkoutId));
          if (session.status !== 'open') return;
        }
        throw rejectedOrAsIs(error);
      }
    },

    async getPayment(paymentIntentId) {
      const intent = await call(() => stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['payment_method'] }));
      const paymentMethod = intent.payment_method;
      return {
        paymentIntentId: intent.id,
        status: chargeStatusOf(intent.status),
        amountReceivedCents: intent.amount_received,
        currency: intent.currency,
        customerId: typeof intent.customer === 'string' ? intent.customer : (intent.customer?.id ?? null),
        metadata: { ...intent.metadata },
        card: paymentMethod && typeof paymentMethod === 'object' ? cardOf(paymentMethod) : null,
      };
    },

    async getCard(paymentMethodId) {
      const paymentMethod = await call(() => stripe.paymentMethods.retrieve(paymentMethodId));
      const card = cardOf(paymentMethod);
      if (!card) throw new PaymentProviderRejected(`Payment method ${paymentMethodId} is not a card`, 'not_a_card');
      return card;
    },

    async detachCard(paymentMethodId) {
      try {
        await stripe.paymentMethods.detach(paymentMethodId);
      } catch (error) {
        // Already detached (a retry after a lost answer): Stripe refuses, the card is off the customer.
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code !== 'resource_missing') {
          const paymentMethod = await call(() => stripe.paymentMethods.retrieve(paymentMethodId));
          if (paymentMethod.customer === null) return;
        }
        throw rejectedOrAsIs(error);
      }
    },

    async setDefaultCard(customerId, paymentMethodId) {
      await call(() =>
        stripe.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId } }),
      );
    },

    parseWebhook(rawBody, headers) {
      const signature = headerOf(headers, 'stripe-signature');
      if (!signature) throw new WebhookSignatureError('Missing Stripe-Signature header');
      let event: Stripe.Event;
      try {
        // Stripe's default tolerance: a signature older than 300 s is refused (replays).
        event = stripe.webhooks.constructEvent(rawBody, signature, webhookSecret);
      } catch (error) {
        if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
          throw new WebhookSignatureError(error.message);
        }
        throw error;
      }
      // Signed, so from Stripe; still, an envelope we cannot read is refused, not guessed at.
      const envelope = event as unknown as { id?: unknown; type?: unknown; data?: { object?: unknown } };
      if (
        typeof envelope.id !== 'string' ||
        !/^evt_\w{1,255}$/.test(envelope.id) ||
        typeof envelope.type !== 'string' ||
        typeof envelope.data?.object !== 'object' ||
        envelope.data.object === null
      ) {
        throw new WebhookPayloadError('not a Stripe event (id, type, data.object)');
      }
      return paymentEventOf(event);
    },
  };
}
