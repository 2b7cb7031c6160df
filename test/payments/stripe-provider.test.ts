import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';
import {
  PaymentProviderRejected,
  WebhookSignatureError,
  type CheckoutRequest,
  type PaymentEvent,
  type PaymentProvider,
  type SavedCardCharge,
} from '../../payments/payment-provider';
import { createStripeProvider } from '../../payments/stripe-provider';
import { startRecordingProxy, type RecordedApiRequest, type RecordingProxy } from '../support/recording-proxy';
import { startStripeMock, stripeMockBinary, type StripeMock } from '../support/stripe-mock';

/**
 * The Stripe provider through the real SDK against stripe-mock (Stripe's own
 * stand-in of its API), with a recording proxy in between. stripe-mock
 * validates every request against Stripe's OpenAPI spec and answers fixtures,
 * keeping no state: so these tests assert what the SDK sent (amounts, modes,
 * consent, metadata, idempotency keys) and how answers are mapped. Where
 * Stripe's answer is one stripe-mock never gives (a decline, a 3-D Secure
 * step, a 500), the proxy answers that one request in Stripe's error shape or
 * changes one field of stripe-mock's fixture.
 *
 * The webhook fixtures (fixtures/*.json) are written by hand in the shape of
 * Stripe's events for API version 2026-10-28.endive, the SDK's pinned version.
 */

const WEBHOOK_SECRET = `whsec_test_${randomBytes(16).toString('hex')}`;

let stripeMock: StripeMock;
let proxy: RecordingProxy;
let provider: PaymentProvider;
let secretKey: string;

beforeAll(async () => {
  stripeMock = await startStripeMock();
});

afterAll(async () => {
  await stripeMock?.stop();
});

beforeEach(async () => {
  proxy = await startRecordingProxy(stripeMock.baseUrl);
  secretKey = `sk_test_${randomBytes(12).toString('hex')}`;
  provider = createStripeProvider({ secretKey, webhookSecret: WEBHOOK_SECRET, apiBaseUrl: proxy.url });
});

afterEach(async () => {
  await proxy.stop();
});

function ourMetadata(): Record<string, string> {
  return { paymentRequestId: randomUUID(), organizationId: randomUUID() };
}

function checkoutRequest(overrides: Partial<CheckoutRequest> = {}): CheckoutRequest {
  const metadata = ourMetadata();
  return {
    customerId: 'cus_TbR8m2VnK4pL1s',
    amountCents: 12_500,
    currency: 'usd',
    description: 'Payment to Willow Creek Counseling',
    saveCard: false,
    successUrl: `https://portal.example.test/portal/account/payments/${metadata.paymentRequestId}`,
    cancelUrl: `https://portal.example.test/portal/account/payments/${metadata.paymentRequestId}/cancel`,
    metadata,
    idempotencyKey: `payment:${metadata.paymentRequestId}:checkout`,
    ...overrides,
  };
}

function savedCardCharge(overrides: Partial<SavedCardCharge> = {}): SavedCardCharge {
  const metadata = ourMetadata();
  return {
    customerId: 'cus_TbR8m2VnK4pL1s',
    paymentMethodId: 'pm_1SbR9ZLkdIwHu7ixT5uV6wXy',
    amountCents: 8_000,
    currency: 'usd',
    description: 'Payment to Willow Creek Counseling',
    returnUrl: `https://portal.example.test/portal/account/payments/${metadata.paymentRequestId}`,
    metadata,
    idempotencyKey: `payment:${metadata.paymentRequestId}:charge`,
    ...overrides,
  };
}

function only(requests: RecordedApiRequest[]): RecordedApiRequest {
  expect(requests).toHaveLength(1);
  return requests[0]!;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/** Stripe's error body, as the API sends it. */
function stripeError(type: string, message: string, extra: Record<string, unknown> = {}) {
  return { error: { type, message, ...extra } };
}

const PAYMENT_INTENTS = { method: 'POST', path: '/v1/payment_intents' };

describe('Stripe provider against stripe-mock', () => {
  it('creates a customer with our ids only, under the caller’s idempotency key and our secret key', async () => {
    const input = { organizationId: randomUUID(), clientId: randomUUID(), idempotencyKey: `customer:${randomUUID()}` };

    const { customerId } = await provider.createCustomer(input);
    await provider.createCustomer(input);

    const [first, second] = proxy.matching({ method: 'POST', path: '/v1/customers' });
    expect(proxy.requests).toHaveLength(2);
    expect(first!.authorization).toBe(`Bearer ${secretKey}`);
    expect(first!.stripeVersion).toBe(Stripe.API_VERSION);
    // No name, no email, nothing about the client but our ids.
    expect(first!.params).toEqual({ metadata: { organizationId: input.organizationId, clientId: input.clientId } });
    expect(first!.idempotencyKey).toBe(input.idempotencyKey);
    // A retried activity sends the very same request: Stripe creates one customer.
    expect(second!.idempotencyKey).toBe(input.idempotencyKey);
    expect(second!.rawBody).toBe(first!.rawBody);
    expect(customerId).toMatch(/^cus_/);
    expect(customerId).toBe((first!.response as { id: string }).id);
  });

  it('opens a payment checkout for the amount, with metadata on the session and its payment, and no card saving without consent', async () => {
    const input = checkoutRequest({ saveCard: false });

    const checkout = await provider.createCheckout(input);

    const sent = only(proxy.matching({ method: 'POST', path: '/v1/checkout/sessions' }));
    expect(sent.idempotencyKey).toBe(input.idempotencyKey);
    expect(sent.params).toEqual({
      mode: 'payment',
      customer: input.customerId,
      line_items: [
        {
          quantity: '1',
          price_data: { currency: 'usd', unit_amount: '12500', product_data: { name: input.description } },
        },
      ],
      payment_intent_data: { description: input.description, metadata: input.metadata },
      metadata: input.metadata,
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
    });
    expect(sent.rawBody).not.toContain('setup_future_usage');
    const answered = sent.response as { id: string; url: string };
    expect(checkout).toEqual({ checkoutId: answered.id, url: answered.url });
    expect(checkout.checkoutId).toMatch(/^cs_test_/);
    expect(checkout.url.startsWith(`${provider.redirectOrigins[0]}/`)).toBe(true);
  });

  it('asks Stripe to keep the card only when the client ticked "save this card"', async () => {
    const input = checkoutRequest({ saveCard: true, currency: 'USD', amountCents: 4_999 });

    await provider.createCheckout(input);
    await provider.createCheckout(input);

    const [first, second] = proxy.matching({ method: 'POST', path: '/v1/checkout/sessions' });
    expect(first!.params.payment_intent_data).toEqual({
      description: input.description,
      metadata: input.metadata,
      setup_future_usage: 'off_session',
    });
    expect(first!.params.line_items).toEqual([
      {
        quantity: '1',
        price_data: { currency: 'usd', unit_amount: '4999', product_data: { name: input.description } },
      },
    ]);
    // Deterministic parameters (no expires_at from a clock) under the same key: one session at Stripe.
    expect(first!.params).not.toHaveProperty('expires_at');
    expect(second!.idempotencyKey).toBe(input.idempotencyKey);
    expect(second!.rawBody).toBe(first!.rawBody);
  });

  it('opens a card-setup checkout in setup mode, with our metadata on the session and on its SetupIntent', async () => {
    const metadata = ourMetadata();
    const input = {
      customerId: 'cus_TbR8m2VnK4pL1s',
      successUrl: 'https://portal.example.test/portal/account/cards/saved',
      cancelUrl: 'https://portal.example.test/portal/account/cards',
      metadata,
      idempotencyKey: `payment:${metadata.paymentRequestId}:setup`,
    };

    const checkout = await provider.createCardSetup(input);

    const sent = only(proxy.matching({ method: 'POST', path: '/v1/checkout/sessions' }));
    expect(sent.idempotencyKey).toBe(input.idempotencyKey);
    expect(sent.params).toEqual({
      mode: 'setup',
      customer: input.customerId,
      currency: 'usd',
      setup_intent_data: { metadata },
      metadata,
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
    });
    expect(checkout.checkoutId).toBe((sent.response as { id: string }).id);
    expect(checkout.url.startsWith('https://checkout.stripe.com/')).toBe(true);
  });

  it('charges a saved card in one confirmed PaymentIntent under the caller’s key', async () => {
    const input = savedCardCharge();
    proxy.rewriteNext(PAYMENT_INTENTS, (intent) => ({ ...intent, status: 'succeeded', amount_received: 8_000 }));

    const result = await provider.chargeSavedCard(input);

    const sent = only(proxy.matching(PAYMENT_INTENTS));
    expect(sent.idempotencyKey).toBe(input.idempotencyKey);
    expect(sent.params).toEqual({
      amount: '8000',
      currency: 'usd',
      customer: input.customerId,
      payment_method: input.paymentMethodId,
      confirm: 'true',
      return_url: input.returnUrl,
      description: input.description,
      metadata: input.metadata,
    });
    expect(result).toEqual({ paymentIntentId: (sent.response as { id: string }).id, status: 'succeeded' });
  });

  it('maps a charge that needs 3-D Secure to requires_action with Stripe’s page, and a processing one to processing', async () => {
    const authUrl =
      'https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&payment_intent=pi_1&publishable_key=pk';
    proxy.rewriteNext(PAYMENT_INTENTS, (intent) => ({
      ...intent,
      status: 'requires_action',
      next_action: {
        type: 'redirect_to_url',
        redirect_to_url: { return_url: 'https://portal.example.test/x', url: authUrl },
      },
    }));
    proxy.rewriteNext(PAYMENT_INTENTS, (intent) => ({ ...intent, status: 'processing', next_action: null }));

    const needsAction = await provider.chargeSavedCard(savedCardCharge());
    const processing = await provider.chargeSavedCard(savedCardCharge());

    expect(needsAction).toMatchObject({ status: 'requires_action', nextActionUrl: authUrl });
    expect(processing.status).toBe('processing');
    expect(processing).not.toHaveProperty('nextActionUrl');
  });

  it('reads stripe-mock’s own PaymentIntent fixture (requires_payment_method) as failed', async () => {
    // stripe-mock answers every create with its fixture, whose status is requires_payment_method:
    // for a confirmed charge that is what Stripe leaves after a failed attempt.
    const result = await provider.chargeSavedCard(savedCardCharge());

    const answered = only(proxy.matching(PAYMENT_INTENTS)).response as { id: string; status: string };
    expect(answered.status).toBe('requires_payment_method');
    expect(result).toEqual({ paymentIntentId: answered.id, status: 'failed', failureMessage: 'The payment failed.' });
  });

  it('turns a card decline (402 card_error) into a failed charge with Stripe’s message, without retrying it', async () => {
    proxy.replyNext(
      PAYMENT_INTENTS,
      402,
      stripeError('card_error', 'Your card was declined.', {
        code: 'card_declined',
        decline_code: 'generic_decline',
        charge: 'ch_3SbRF6LkdIwHu7ix1p9O8i7U',
        doc_url: 'https://docs.stripe.com/error-codes/card-declined',
        payment_intent: {
          id: 'pi_3SbRF6LkdIwHu7ix1K2l3M4n',
          object: 'payment_intent',
          status: 'requires_payment_method',
        },
      }),
    );

    const result = await provider.chargeSavedCard(savedCardCharge());

    expect(result).toEqual({
      paymentIntentId: 'pi_3SbRF6LkdIwHu7ix1K2l3M4n',
      status: 'failed',
      failureMessage: 'Your card was declined.',
    });
    expect(proxy.matching(PAYMENT_INTENTS)).toHaveLength(1);
  });

  it('throws PaymentProviderRejected for a request Stripe refuses (stripe-mock’s own validation)', async () => {
    // A fractional amount: stripe-mock refuses it against Stripe's OpenAPI spec, as Stripe would.
    const error = await rejectionOf(provider.chargeSavedCard(savedCardCharge({ amountCents: 12.5 })));

    expect(error).toBeInstanceOf(PaymentProviderRejected);
    expect((error as PaymentProviderRejected).message).toContain('amount');
    const sent = only(proxy.matching(PAYMENT_INTENTS));
    expect(sent).toMatchObject({ status: 400, injected: false });
  });

  it('rethrows a 5xx as the SDK’s retryable error after retrying it under the same key, and the retry charges once', async () => {
    const input = savedCardCharge();
    proxy.replyNext(PAYMENT_INTENTS, 500, stripeError('api_error', 'Something went wrong on Stripe’s end.'), 3);

    const error = await rejectionOf(provider.chargeSavedCard(input));

    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(error).not.toBeInstanceOf(PaymentProviderRejected);
    // The SDK tried three times (its two retries), every time under the caller's key.
    expect(proxy.matching(PAYMENT_INTENTS).map((request) => request.idempotencyKey)).toEqual([
      input.idempotencyKey,
      input.idempotencyKey,
      input.idempotencyKey,
    ]);

    // The activity's retry: the same request again, so Stripe would still make one charge.
    proxy.rewriteNext(PAYMENT_INTENTS, (intent) => ({ ...intent, status: 'succeeded' }));
    const retried = await provider.chargeSavedCard(input);
    expect(retried.status).toBe('succeeded');
    const sent = proxy.matching(PAYMENT_INTENTS);
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((request) => request.idempotencyKey))).toEqual(new Set([input.idempotencyKey]));
    expect(new Set(sent.map((request) => request.rawBody)).size).toBe(1);
  });

  it('retries a dropped connection under the same key, and rethrows it as-is when it keeps failing', async () => {
    const input = savedCardCharge();
    proxy.dropNext(PAYMENT_INTENTS);
    proxy.rewriteNext(PAYMENT_INTENTS, (intent) => ({ ...intent, status: 'succeeded' }));

    expect((await provider.chargeSavedCard(input)).status).toBe('succeeded');
    expect(proxy.matching(PAYMENT_INTENTS).map((request) => request.idempotencyKey)).toEqual([
      input.idempotencyKey,
      input.idempotencyKey,
    ]);

    const noRetries = createStripeProvider({
      secretKey,
      webhookSecret: WEBHOOK_SECRET,
      apiBaseUrl: proxy.url,
      maxNetworkRetries: 0,
    });
    // The SDK retries a closed connection once even with retries off.
    proxy.dropNext(PAYMENT_INTENTS, 2);
    const error = await rejectionOf(noRetries.chargeSavedCard(savedCardCharge()));
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
  });

  it('reads a payment checkout: its status and PaymentIntent, no saved card', async () => {
    const state = await provider.getCheckout('cs_test_payment1');

    const sent = only(proxy.matching({ method: 'GET', path: '/v1/checkout/sessions/cs_test_payment1' }));
    expect(sent.query).toEqual({ expand: ['setup_intent'] });
    const answered = sent.response as { status: string; mode: string; payment_intent: string };
    expect(answered).toMatchObject({ status: 'open', mode: 'payment' });
    expect(state).toEqual({ status: 'open', paymentIntentId: answered.payment_intent, setupPaymentMethodId: null });
    expect(state.paymentIntentId).toMatch(/^pi_/);
  });

  it('reads a completed card-setup checkout: the saved card from its expanded SetupIntent', async () => {
    proxy.rewriteNext({ method: 'GET', path: /^\/v1\/checkout\/sessions\// }, (session) => ({
      ...session,
      mode: 'setup',
      status: 'complete',
      payment_intent: null,
      setup_intent: { ...(session.setup_intent as object), status: 'succeeded', payment_method: 'pm_saved_card' },
    }));
    proxy.rewriteNext({ method: 'GET', path: /^\/v1\/checkout\/sessions\// }, (session) => ({
      ...session,
      status: 'expired',
    }));

    expect(await provider.getCheckout('cs_test_setup1')).toEqual({
      status: 'complete',
      paymentIntentId: null,
      setupPaymentMethodId: 'pm_saved_card',
    });
    expect((await provider.getCheckout('cs_test_payment2')).status).toBe('expired');
  });

  it('expires an open checkout', async () => {
    await provider.expireCheckout('cs_test_open1');

    const sent = only(proxy.requests);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/checkout/sessions/cs_test_open1/expire', status: 200 });
  });

  it('accepts that a checkout has already ended when Stripe refuses to expire it, and only then', async () => {
    const expire = { method: 'POST', path: /\/expire$/ };
    const read = { method: 'GET', path: /^\/v1\/checkout\/sessions\// };
    const refusal = (status: string) =>
      stripeError(
        'invalid_request_error',
        `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of \`${status}\`.`,
      );
    proxy.replyNext(expire, 400, refusal('expired'));
    proxy.rewriteNext(read, (session) => ({ ...session, status: 'expired' }));
    proxy.replyNext(expire, 400, refusal('complete'));
    proxy.rewriteNext(read, (session) => ({ ...session, status: 'complete' }));

    await provider.expireCheckout('cs_test_gone1');
    await provider.expireCheckout('cs_test_paid1');
    expect(proxy.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /v1/checkout/sessions/cs_test_gone1/expire',
      'GET /v1/checkout/sessions/cs_test_gone1',
      'POST /v1/checkout/sessions/cs_test_paid1/expire',
      'GET /v1/checkout/sessions/cs_test_paid1',
    ]);

    // Refused while still open (stripe-mock's fixture status): that is a real problem.
    proxy.replyNext(expire, 400, stripeError('invalid_request_error', 'This Checkout Session cannot be expired.'));
    const error = await rejectionOf(provider.expireCheckout('cs_test_open2'));
    expect(error).toBeInstanceOf(PaymentProviderRejected);
  });

  it('reads a payment back with the amount received, currency, customer and our metadata, and the card’s brand, last four and expiry only', async () => {
    proxy.rewriteNext({ method: 'GET', path: '/v1/payment_intents/pi_paid1' }, (intent) => ({
      ...intent,
      status: 'succeeded',
      amount_received: 12_500,
      currency: 'usd',
      customer: 'cus_ours1',
      metadata: { paymentRequestId: 'req-1' },
    }));

    const payment = await provider.getPayment('pi_paid1');

    const sent = only(proxy.requests);
    expect(sent.query).toEqual({ expand: ['payment_method'] });
    const { payment_method: method } = sent.response as {
      payment_method: { id: string; card: { brand: string; last4: string; exp_month: number; exp_year: number } };
    };
    expect(payment).toEqual({
      paymentIntentId: 'pi_paid1',
      status: 'succeeded',
      amountReceivedCents: 12_500,
      // What recordPayment checks before believing a payment (issue 14, item 1).
      currency: 'usd',
      customerId: 'cus_ours1',
      metadata: { paymentRequestId: 'req-1' },
      card: {
        paymentMethodId: method.id,
        brand: method.card.brand,
        last4: method.card.last4,
        expMonth: method.card.exp_month,
        expYear: method.card.exp_year,
      },
    });
    expect(payment.card).toMatchObject({ brand: 'visa', last4: '4242' });
  });

  it('reads a saved card, and refuses a payment method that is not a card', async () => {
    const card = await provider.getCard('pm_card1');

    expect(only(proxy.requests)).toMatchObject({ method: 'GET', path: '/v1/payment_methods/pm_card1' });
    expect(card).toEqual({ paymentMethodId: 'pm_card1', brand: 'visa', last4: '4242', expMonth: 8, expYear: 2030 });

    proxy.rewriteNext({ method: 'GET', path: '/v1/payment_methods/pm_bank1' }, ({ card: _card, ...method }) => ({
      ...method,
      type: 'us_bank_account',
    }));
    const error = await rejectionOf(provider.getCard('pm_bank1'));
    expect(error).toBeInstanceOf(PaymentProviderRejected);
    expect(error).toMatchObject({ code: 'not_a_card' });
  });

  it('detaches a card, and takes "not attached" for done only when the card really is off the customer', async () => {
    const detach = { method: 'POST', path: /\/detach$/ };
    const notAttached = stripeError(
      'invalid_request_error',
      'The payment method you provided is not attached to a customer so detachment is impossible.',
    );

    await provider.detachCard('pm_card1');
    expect(only(proxy.requests)).toMatchObject({ method: 'POST', path: '/v1/payment_methods/pm_card1/detach' });

    // A retry after a lost answer: Stripe refuses, and the card (stripe-mock's fixture: customer null) is detached.
    proxy.replyNext(detach, 400, notAttached);
    await provider.detachCard('pm_card2');
    expect(proxy.requests.slice(1).map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /v1/payment_methods/pm_card2/detach',
      'GET /v1/payment_methods/pm_card2',
    ]);

    proxy.replyNext(detach, 400, notAttached);
    proxy.rewriteNext({ method: 'GET', path: '/v1/payment_methods/pm_card3' }, (method) => ({
      ...method,
      customer: 'cus_TbR8m2VnK4pL1s',
    }));
    expect(await rejectionOf(provider.detachCard('pm_card3'))).toBeInstanceOf(PaymentProviderRejected);

    proxy.replyNext(
      detach,
      404,
      stripeError('invalid_request_error', "No such PaymentMethod: 'pm_gone'", { code: 'resource_missing' }),
    );
    expect(await rejectionOf(provider.detachCard('pm_gone'))).toMatchObject({ code: 'resource_missing' });
    expect(proxy.matching({ method: 'GET', path: '/v1/payment_methods/pm_gone' })).toHaveLength(0);
  });

  it('makes a card the customer’s default for invoices', async () => {
    await provider.setDefaultCard('cus_TbR8m2VnK4pL1s', 'pm_card1');

    const sent = only(proxy.requests);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/customers/cus_TbR8m2VnK4pL1s' });
    expect(sent.params).toEqual({ invoice_settings: { default_payment_method: 'pm_card1' } });
    expect(sent.response).toMatchObject({ invoice_settings: { default_payment_method: 'pm_card1' } });
  });

  it('says where a missing stripe-mock binary should come from', () => {
    expect(() => stripeMockBinary({ STRIPE_MOCK_PATH: '/nonexistent/stripe-mock' })).toThrow(
      /STRIPE_MOCK_PATH points at \/nonexistent\/stripe-mock/,
    );
  });

  it('refuses an API base URL with a path, which the SDK would silently drop', () => {
    expect(() =>
      createStripeProvider({ secretKey, webhookSecret: WEBHOOK_SECRET, apiBaseUrl: 'http://127.0.0.1:1/stripe' }),
    ).toThrow(/without a path/);
  });
});

describe('Stripe webhooks', () => {
  const FIXTURES = path.join(__dirname, 'fixtures');
  const PAYMENT_REQUEST_ID = '6f1c2f0e-3b7a-4c61-9d2e-8a4b5c6d7e8f';

  function fixture(name: string): Buffer {
    return readFileSync(path.join(FIXTURES, `${name}.json`));
  }

  function signed(body: Buffer, options: { secret?: string; timestamp?: number } = {}) {
    return {
      'stripe-signature': Stripe.webhooks.generateTestHeaderString({
        payload: body.toString('utf8'),
        secret: options.secret ?? WEBHOOK_SECRET,
        ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
      }),
      'content-type': 'application/json',
    };
  }

  function parse(name: string): PaymentEvent {
    const body = fixture(name);
    return provider.parseWebhook(body, signed(body));
  }

  function signatureErrorOf(run: () => unknown): WebhookSignatureError {
    let caught: unknown;
    try {
      run();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WebhookSignatureError);
    return caught as WebhookSignatureError;
  }

  it.each<[string, PaymentEvent]>([
    [
      'checkout.session.completed.payment',
      {
        eventId: 'evt_1SbRA1LkdIwHu7ixq2W3e4R5',
        kind: 'payment.succeeded',
        paymentRequestId: PAYMENT_REQUEST_ID,
        paymentIntentId: 'pi_3SbR9aLkdIwHu7ix0Z8bC4dE',
        amountCents: 12_500,
      },
    ],
    [
      'checkout.session.async_payment_succeeded',
      {
        eventId: 'evt_1SbTC3LkdIwHu7ixz5X6c7V8',
        kind: 'payment.succeeded',
        paymentRequestId: PAYMENT_REQUEST_ID,
        paymentIntentId: 'pi_3SbR9aLkdIwHu7ix0Z8bC4dE',
        amountCents: 12_500,
      },
    ],
    [
      'checkout.session.async_payment_failed',
      {
        eventId: 'evt_1SbTD4LkdIwHu7ixb1N2m3Q4',
        kind: 'payment.failed',
        paymentRequestId: PAYMENT_REQUEST_ID,
        paymentIntentId: 'pi_3SbR9aLkdIwHu7ix0Z8bC4dE',
        reason: 'The payment did not go through after checkout.',
      },
    ],
    [
      'checkout.session.expired',
      { eventId: 'evt_1SbSE5LkdIwHu7ixw4E5r6T7', kind: 'checkout.expired', paymentRequestId: PAYMENT_REQUEST_ID },
    ],
    [
      'payment_intent.succeeded',
      {
        eventId: 'evt_3SbR9aLkdIwHu7ix0e1F2g3H',
        kind: 'payment.succeeded',
        paymentRequestId: PAYMENT_REQUEST_ID,
        paymentIntentId: 'pi_3SbR9aLkdIwHu7ix0Z8bC4dE',
        amountCents: 12_500,
      },
    ],
    [
      'payment_intent.payment_failed',
      {
        eventId: 'evt_3SbRF6LkdIwHu7ix1a2S3d4F',
        kind: 'payment.failed',
        paymentRequestId: PAYMENT_REQUEST_ID,
        paymentIntentId: 'pi_3SbRF6LkdIwHu7ix1K2l3M4n',
        reason: 'Your card has insufficient funds.',
      },
    ],
    [
      'setup_intent.succeeded',
      {
        eventId: 'evt_1SbRB1LkdIwHu7ixh6J7k8L9',
        kind: 'card.saved',
        paymentRequestId: PAYMENT_REQUEST_ID,
        paymentMethodId: 'pm_1SbR9ZLkdIwHu7ixT5uV6wXy',
      },
    ],
    // Stripe's events carry setup_intent as an id only: the card comes with setup_intent.succeeded.
    [
      'checkout.session.completed.setup',
      { eventId: 'evt_1SbRB2LkdIwHu7ixa9S8d7F6', kind: 'ignored', type: 'checkout.session.completed' },
    ],
    // Other types are ignored even with our metadata (charges inherit their PaymentIntent's).
    ['charge.succeeded', { eventId: 'evt_3SbR9aLkdIwHu7ix0r4T5y6U', kind: 'ignored', type: 'charge.succeeded' }],
    // A payment someone made in the Dashboard: not ours.
    [
      'payment_intent.succeeded.not-ours',
      { eventId: 'evt_3SbRG7LkdIwHu7ix2m1N2b3V', kind: 'ignored', type: 'payment_intent.succeeded' },
    ],
  ])('maps a correctly signed %s', (name, expected) => {
    expect(parse(name)).toEqual(expected);
  });

  it('maps a setup checkout whose setup_intent is expanded to card.saved', () => {
    const event = JSON.parse(fixture('checkout.session.completed.setup').toString('utf8')) as {
      data: { object: { setup_intent: unknown } };
    };
    event.data.object.setup_intent = { id: 'seti_1SbRAbLkdIwHu7ixF3gH4iJk', payment_method: 'pm_expanded' };
    const body = Buffer.from(JSON.stringify(event));

    expect(provider.parseWebhook(body, signed(body))).toMatchObject({
      kind: 'card.saved',
      paymentRequestId: PAYMENT_REQUEST_ID,
      paymentMethodId: 'pm_expanded',
    });
  });

  it('ignores a checkout that completed unpaid (a bank debit still settling) and a session without our metadata', () => {
    const event = JSON.parse(fixture('checkout.session.completed.payment').toString('utf8')) as {
      data: { object: { payment_status: string; metadata: Record<string, string> } };
    };
    event.data.object.payment_status = 'unpaid';
    const unpaid = Buffer.from(JSON.stringify(event));
    event.data.object.payment_status = 'paid';
    event.data.object.metadata = { organizationId: 'x' };
    const foreign = Buffer.from(JSON.stringify(event));

    expect(provider.parseWebhook(unpaid, signed(unpaid))).toMatchObject({ kind: 'ignored' });
    expect(provider.parseWebhook(foreign, signed(foreign))).toMatchObject({ kind: 'ignored' });
  });

  it('counts what a PaymentIntent received, not what it asked for', () => {
    const event = JSON.parse(fixture('payment_intent.succeeded').toString('utf8')) as {
      data: { object: { amount: number; amount_received: number } };
    };
    event.data.object.amount_received = 10_000;
    const body = Buffer.from(JSON.stringify(event));

    expect(provider.parseWebhook(body, signed(body))).toMatchObject({ kind: 'payment.succeeded', amountCents: 10_000 });
  });

  it('finds the signature header whatever its case', () => {
    const body = fixture('checkout.session.expired');
    const headers = { 'Stripe-Signature': signed(body)['stripe-signature'] };

    expect(provider.parseWebhook(body, headers).kind).toBe('checkout.expired');
  });

  it('refuses a body signed with another secret', () => {
    const body = fixture('payment_intent.succeeded');
    const error = signatureErrorOf(() =>
      provider.parseWebhook(body, signed(body, { secret: `whsec_other_${randomBytes(8).toString('hex')}` })),
    );
    expect(error.message).toMatch(/No signatures found matching the expected signature/);
  });

  it('refuses a body changed after signing, even by one character', () => {
    const body = fixture('payment_intent.succeeded');
    const headers = signed(body);
    const tampered = Buffer.from(body.toString('utf8').replace('"amount_received": 12500', '"amount_received": 92500'));
    expect(tampered.equals(body)).toBe(false);

    signatureErrorOf(() => provider.parseWebhook(tampered, headers));
    // The untouched body under the same header still passes: the refusal was about the bytes.
    expect(provider.parseWebhook(body, headers).kind).toBe('payment.succeeded');
  });

  it('refuses a request without a signature header, or with an empty or garbled one', () => {
    const body = fixture('payment_intent.succeeded');

    expect(signatureErrorOf(() => provider.parseWebhook(body, { 'content-type': 'application/json' })).message).toMatch(
      /Missing Stripe-Signature/,
    );
    signatureErrorOf(() => provider.parseWebhook(body, { 'stripe-signature': '' }));
    signatureErrorOf(() => provider.parseWebhook(body, { 'stripe-signature': 'not-a-signature' }));
  });

  it('refuses a signature from ten minutes ago (outside the 300 s tolerance), accepts one from four minutes ago', () => {
    const body = fixture('payment_intent.succeeded');
    const now = Math.floor(Date.now() / 1000);

    const error = signatureErrorOf(() => provider.parseWebhook(body, signed(body, { timestamp: now - 600 })));
    expect(error.message).toMatch(/Timestamp outside the tolerance zone/);
    expect(provider.parseWebhook(body, signed(body, { timestamp: now - 240 })).kind).toBe('payment.succeeded');
  });
});
