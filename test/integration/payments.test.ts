/**
 * Payments through the real stack with the real provider: the HTTP API, the
 * Temporal dev server, a worker, the database, and the Stripe SDK against
 * stripe-mock (through a proxy that records what the SDK sent). Stripe's
 * webhooks are our recorded events (test/payments/fixtures), given this
 * payment's ids and signed with the endpoint's secret as Stripe signs them.
 *
 * Also the EHR's side: invoices arrive by the signed invoice.upserted webhook.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import Stripe from 'stripe';
import { cookieName } from '../../http/cookies';
import { startPayment, type PaymentDeps } from '../../use-cases/billing/portal-payments';
import { signIn } from '../../use-cases/accounts/portal-sessions';
import { listOutbox } from '../../emails/mailer';
import { createStripeProvider } from '../../payments/stripe-provider';
import { paymentWorkflowId, type paymentRequest } from '../../workflows/payment';
import { createTestOrganization, signedWebhookHeaders, type TestOrganization } from '../support/factories';
import {
  CLIENT_PASSWORD,
  createPayingClient,
  enablePayments,
  submissionKey,
  testInvoice,
  type PayingClient,
} from '../support/payments';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { eventually, startTestService, type TestService } from '../support/service';
import { startStripeMock, type StripeMock } from '../support/stripe-mock';

/** The portal's session cookie as npm start and the tests name it (http://, so without `__Host-`). */
const SESSION_COOKIE = cookieName('portal', 'session', false);

const WEBHOOK_SECRET = `whsec_${randomBytes(16).toString('hex')}`;

let stripeMock: StripeMock;
let proxy: RecordingProxy;
let service: TestService;
let stopWorker: () => Promise<void>;
let org: TestOrganization;
let other: TestOrganization;

beforeAll(async () => {
  stripeMock = await startStripeMock();
  proxy = await startRecordingProxy(stripeMock.baseUrl);
  service = await startTestService({
    payments: createStripeProvider({
      secretKey: `sk_test_${randomBytes(12).toString('hex')}`,
      webhookSecret: WEBHOOK_SECRET,
      apiBaseUrl: proxy.url,
    }),
  });
  stopWorker = (await service.startWorker()).stop;
  org = await createTestOrganization(service.database.db);
  other = await createTestOrganization(service.database.db);
  await enablePayments(service.database.db, org.organizationId);
}, 60_000);

afterAll(async () => {
  await stopWorker?.();
  await service?.stop();
  await proxy?.stop();
  await stripeMock?.stop();
});

function paymentDeps(): PaymentDeps {
  return {
    db: service.database.db,
    temporal: service.env.client,
    taskQueue: service.taskQueue,
    payments: service.payments!,
  };
}

function invoiceWebhook(client: PayingClient, invoice = testInvoice(), applied: string[] = []) {
  return {
    type: 'invoice.upserted',
    data: { externalChartId: client.externalChartId, invoice, appliedReceiptNumbers: applied },
  };
}

/** One of our recorded Stripe events, made about this payment, and signed as Stripe signs. */
function stripeEvent(
  name: string,
  change: (object: Record<string, unknown>) => void,
  options: { secret?: string } = {},
): { body: string; headers: Record<string, string> } {
  const event = JSON.parse(readFileSync(path.join(__dirname, '../payments/fixtures', `${name}.json`), 'utf8')) as {
    id: string;
    data: { object: Record<string, unknown> };
  };
  event.id = `evt_${randomBytes(12).toString('hex')}`;
  // Each payment has its own PaymentIntent at Stripe; the recorded one names a single one.
  if ('payment_intent' in event.data.object) event.data.object.payment_intent = `pi_${randomBytes(12).toString('hex')}`;
  change(event.data.object);
  const body = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: options.secret ?? WEBHOOK_SECRET,
  });
  return { body, headers: { 'stripe-signature': signature } };
}

/**
 * What Stripe answers when the payment is read back before it is recorded:
 * stripe-mock's canned PaymentIntent, made this request's, paid in full by
 * the client's customer (recordPayment believes nothing less).
 */
async function stripeConfirms(paymentRequestId: string, amountCents: number): Promise<void> {
  const { client } = await service.database.db.paymentRequest.findUniqueOrThrow({
    where: { id: paymentRequestId },
    select: { client: { select: { paymentCustomerId: true } } },
  });
  proxy.rewriteNext({ method: 'GET', path: /^\/v1\/payment_intents\/pi_/ }, (intent) => ({
    ...intent,
    status: 'succeeded',
    amount_received: amountCents,
    currency: 'usd',
    customer: client.paymentCustomerId,
    metadata: { paymentRequestId },
  }));
}

function postStripe(event: { body: string; headers: Record<string, string> }) {
  return service.post('/v1/webhooks/payments/stripe', event.body, event.headers);
}

describe('invoices from the EHR', () => {
  test('a signed invoice.upserted is stored under the EHR id; a redelivery or an update changes it once', async () => {
    const client = await createPayingClient(service.database.db, org);
    const invoice = testInvoice({ balanceCents: 4500 });
    const body = JSON.stringify(invoiceWebhook(client, invoice));
    const headers = signedWebhookHeaders(org.webhookSecret, body);
    const first = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, body, headers);
    expect(first.status).toBe(200);
    const accepted = (await first.json()) as { invoiceId: string; balanceCents: number; duplicate: boolean };
    expect(accepted).toMatchObject({ balanceCents: 4500, status: 'OPEN', duplicate: false });

    const again = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, body, headers);
    expect(await again.json()).toMatchObject({ invoiceId: accepted.invoiceId, duplicate: true });

    // Insurance paid part of it: the EHR sends the invoice again with a lower balance.
    const update = await service.post(
      `/v1/webhooks/ehr/${org.integrationId}`,
      invoiceWebhook(client, { ...invoice, balanceCents: 1500 }),
    );
    expect(await update.json()).toMatchObject({ invoiceId: accepted.invoiceId, balanceCents: 1500, duplicate: false });
    expect(await service.database.db.invoice.count({ where: { clientId: client.holder.clientId } })).toBe(1);

    const audit = await service.database.db.auditEvent.findMany({
      where: { action: 'invoice.receive', clientId: client.holder.clientId },
    });
    expect(audit.map((entry) => entry.outcome)).toEqual(['success', 'success', 'success']);
  });

  test('bad input, an unknown chart, another practice’s chart or a bad signature write nothing', async () => {
    const client = await createPayingClient(service.database.db, org);
    const before = await service.database.db.invoice.count();
    const bad = await service.post(
      `/v1/webhooks/ehr/${org.integrationId}`,
      invoiceWebhook(client, testInvoice({ balanceCents: 999_999 })),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: { path: string }[] } }).error.fields).toEqual([
      expect.objectContaining({ path: 'data.invoice.balanceCents' }),
    ]);
    const unknown = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, {
      ...invoiceWebhook(client),
      data: { ...invoiceWebhook(client).data, externalChartId: 'NOT-A-CHART' },
    });
    expect(unknown.status).toBe(422);
    // The other practice's EHR names this practice's chart: to it, the chart does not exist.
    const crossTenant = await service.post(`/v1/webhooks/ehr/${other.integrationId}`, invoiceWebhook(client));
    expect(crossTenant.status).toBe(422);
    const unsigned = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, invoiceWebhook(client), {
      'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl',
      'webhook-id': 'msg_x',
      'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    });
    expect(unsigned.status).toBe(401);
    expect(await service.database.db.invoice.count()).toBe(before);
  });
});

describe('Pay Now with Stripe', () => {
  async function openPayment(amountCents: number) {
    const client = await createPayingClient(service.database.db, org, { assignedStaffId: org.therapistId });
    await service.post(
      `/v1/webhooks/ehr/${org.integrationId}`,
      invoiceWebhook(client, testInvoice({ balanceCents: amountCents })),
    );
    const key = submissionKey();
    const input = { kind: 'BALANCE' as const, amountCents, saveCard: true, paymentCardId: null, submissionKey: key };
    const sessionsBefore = proxy.matching({ method: 'POST', path: '/v1/checkout/sessions' }).length;
    // A double click: the same review page posted twice at once.
    const [first, second] = await Promise.all([
      startPayment(paymentDeps(), client.holder, input, {}),
      startPayment(paymentDeps(), client.holder, input, {}),
    ]);
    expect(second.paymentRequestId).toBe(first.paymentRequestId);
    const sessions = proxy.matching({ method: 'POST', path: '/v1/checkout/sessions' }).slice(sessionsBefore);
    return { client, started: first, sessions };
  }

  test('a double click opens one Stripe checkout; its signed completion records one payment, however often it is delivered', async () => {
    const { client, started, sessions } = await openPayment(6400);
    expect(started.link).toMatchObject({
      next: 'redirect',
      url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//) as string,
    });
    // One session created at Stripe, for our amount, with consent to keep the card, under the request's key.
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.idempotencyKey).toBe(`payment:${started.paymentRequestId}:checkout`);
    expect(sessions[0]!.params).toMatchObject({
      mode: 'payment',
      customer: expect.stringMatching(/^cus_/) as string,
      metadata: { paymentRequestId: started.paymentRequestId },
      payment_intent_data: { setup_future_usage: 'off_session' },
    });
    const request = await service.database.db.paymentRequest.findUniqueOrThrow({
      where: { id: started.paymentRequestId },
    });
    expect(request.status).toBe('AWAITING_PAYMENT');

    const completed = stripeEvent('checkout.session.completed.payment', (session) => {
      session.id = request.checkoutId;
      session.amount_total = 6400;
      session.metadata = { paymentRequestId: started.paymentRequestId, organizationId: org.organizationId };
    });
    const forged = stripeEvent('checkout.session.completed.payment', () => {}, { secret: 'whsec_not_ours' });
    expect((await postStripe(forged)).status).toBe(401);
    await stripeConfirms(started.paymentRequestId, 6400);

    const response = await postStripe(completed);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, duplicate: false });
    const handle = service.env.client.workflow.getHandle<typeof paymentRequest>(
      paymentWorkflowId(started.paymentRequestId),
    );
    expect(await handle.result()).toMatchObject({ outcome: 'SUCCEEDED' });

    // Stripe redelivers the event, and sends payment_intent.succeeded for the same payment.
    expect(await (await postStripe(completed)).json()).toEqual({ received: true, duplicate: true });
    const intentSucceeded = stripeEvent('payment_intent.succeeded', (intent) => {
      intent.metadata = { paymentRequestId: started.paymentRequestId, organizationId: org.organizationId };
    });
    expect((await postStripe(intentSucceeded)).status).toBe(200);

    const payments = await service.database.db.payment.findMany({ where: { clientId: client.holder.clientId } });
    expect(payments).toEqual([expect.objectContaining({ amountCents: 6400, cardLast4: '4242' })]);
    const invoice = await service.database.db.invoice.findFirstOrThrow({ where: { clientId: client.holder.clientId } });
    expect([invoice.balanceCents, invoice.status]).toEqual([0, 'PAID']);
    await eventually(async () => {
      const outbox = await listOutbox(service.outboxDir);
      const receipts = outbox.filter((message) => message.to === client.email);
      const staff = outbox.filter(
        (message) => message.text.includes(payments[0]!.receiptNumber) && message.to !== client.email,
      );
      return receipts.length === 1 && staff.length === 2 ? true : undefined;
    });
    // No second checkout or charge was asked of Stripe for this request.
    expect(proxy.matching({ method: 'POST', path: '/v1/payment_intents' })).toHaveLength(0);

    // Staff reconcile it: the admin and the assigned therapist read the account; ops may not.
    const account = (key: string) =>
      service.get(`/v1/onboardings/${client.onboardingId}/payments`, { authorization: `Bearer ${key}` });
    for (const key of [org.keys.admin, org.keys.therapist]) {
      const answer = await account(key);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({
        onboardingId: client.onboardingId,
        externalChartId: client.externalChartId,
        balanceCents: 0,
        invoices: [{ externalInvoiceId: invoice.externalInvoiceId, balanceCents: 0, status: 'PAID' }],
        payments: [
          {
            paymentRequestId: started.paymentRequestId,
            receiptNumber: payments[0]!.receiptNumber,
            kind: 'BALANCE',
            amountCents: 6400,
            externalInvoiceIds: [invoice.externalInvoiceId],
          },
        ],
        requests: [],
      });
    }
    expect((await account(org.keys.ops)).status).toBe(403);
    // A therapist the client is not assigned to: like an onboarding that does not exist.
    expect((await account(org.keys.permittedTherapist)).status).toBe(404);
    expect((await account(other.keys.admin)).status).toBe(404);
  });

  test('a checkout.session.expired webhook leaves the balance open with the request ABANDONED', async () => {
    const { client, started } = await openPayment(3100);
    const request = await service.database.db.paymentRequest.findUniqueOrThrow({
      where: { id: started.paymentRequestId },
    });
    const expired = stripeEvent('checkout.session.expired', (session) => {
      session.id = request.checkoutId;
      session.metadata = { paymentRequestId: started.paymentRequestId, organizationId: org.organizationId };
    });
    expect((await postStripe(expired)).status).toBe(200);
    const handle = service.env.client.workflow.getHandle<typeof paymentRequest>(
      paymentWorkflowId(started.paymentRequestId),
    );
    expect(await handle.result()).toMatchObject({ outcome: 'ABANDONED', lastFailure: 'checkout-expired' });
    const invoice = await service.database.db.invoice.findFirstOrThrow({ where: { clientId: client.holder.clientId } });
    expect(invoice.balanceCents).toBe(3100);
    expect(await service.database.db.payment.count({ where: { clientId: client.holder.clientId } })).toBe(0);
  });

  test('an EHR update sent before it applied a portal payment does not bring the paid amount back', async () => {
    const client = await createPayingClient(service.database.db, org);
    const invoice = testInvoice({ balanceCents: 5000 });
    await service.post(`/v1/webhooks/ehr/${org.integrationId}`, invoiceWebhook(client, invoice));
    const started = await startPayment(
      paymentDeps(),
      client.holder,
      { kind: 'BALANCE', amountCents: 2000, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
      {},
    );
    const request = await service.database.db.paymentRequest.findUniqueOrThrow({
      where: { id: started.paymentRequestId },
    });
    await stripeConfirms(started.paymentRequestId, 2000);
    await postStripe(
      stripeEvent('checkout.session.completed.payment', (session) => {
        session.id = request.checkoutId;
        session.amount_total = 2000;
        session.metadata = { paymentRequestId: started.paymentRequestId, organizationId: org.organizationId };
      }),
    );
    await service.env.client.workflow.getHandle(paymentWorkflowId(started.paymentRequestId)).result();
    const payment = await service.database.db.payment.findUniqueOrThrow({
      where: { paymentRequestId: started.paymentRequestId },
    });

    // The EHR resends the invoice unchanged (it has not applied our payment yet): still 30.00 owed.
    const stale = await service.post(`/v1/webhooks/ehr/${org.integrationId}`, invoiceWebhook(client, invoice));
    expect(await stale.json()).toMatchObject({ balanceCents: 3000 });
    // Then with the payment applied and listed: 30.00 as the EHR says.
    const applied = await service.post(
      `/v1/webhooks/ehr/${org.integrationId}`,
      invoiceWebhook(client, { ...invoice, balanceCents: 3000 }, [payment.receiptNumber]),
    );
    expect(await applied.json()).toMatchObject({ balanceCents: 3000 });
  });
});

test('hostile, correctly signed bodies at Stripe’s webhook are a 4xx or taken and ignored, never a 500, and pay nothing', async () => {
  const paymentsBefore = await service.database.db.payment.count();
  const requestsBefore = await service.database.db.paymentRequest.findMany({ select: { id: true, status: true } });
  const hostile = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string({ maxLength: 80 }),
      fc.constantFrom('__proto__', 'evt_', 'evt_1', '\u0000', '\ud800', "' OR 1=1 --", 'checkout.session.completed'),
      fc.integer(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(
        fc.constantFrom('id', 'type', 'data', 'object', 'metadata', 'paymentRequestId', '__proto__'),
        tie('value'),
        {
          maxKeys: 4,
        },
      ),
    ),
  })).value;
  const event = fc
    .tuple(fc.constantFrom('id', 'type', 'data', 'object', 'metadata', 'paymentRequestId', 'amount_total'), hostile)
    .map(([part, value]) => {
      const body = JSON.parse(
        readFileSync(path.join(__dirname, '../payments/fixtures/checkout.session.completed.payment.json'), 'utf8'),
      ) as Record<string, unknown> & {
        data: { object: Record<string, unknown> & { metadata: Record<string, unknown> } };
      };
      if (part === 'id' || part === 'type' || part === 'data') (body as Record<string, unknown>)[part] = value;
      else if (part === 'object') body.data.object = value as never;
      else if (part === 'metadata') body.data.object.metadata = value as never;
      else if (part === 'paymentRequestId') body.data.object.metadata.paymentRequestId = value;
      else body.data.object[part] = value;
      return body;
    });
  await fc.assert(
    fc.asyncProperty(fc.oneof(event, hostile), async (payload) => {
      const body = JSON.stringify(payload) ?? 'null';
      const response = await postStripe({
        body,
        headers: {
          'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET }),
        },
      });
      await response.arrayBuffer();
      expect(response.status === 200 || (response.status >= 400 && response.status < 500)).toBe(true);
    }),
    { numRuns: 80 },
  );
  expect(await service.database.db.payment.count()).toBe(paymentsBefore);
  expect(await service.database.db.paymentRequest.findMany({ select: { id: true, status: true } })).toEqual(
    requestsBefore,
  );
});

test('the onboarding’s deposit step: the portal home asks for it, its button opens a Stripe checkout, staff see it in progress', async () => {
  const { db } = service.database;
  const practice = await createTestOrganization(db);
  await db.organization.update({
    where: { id: practice.organizationId },
    data: { paymentsEnabled: true, onboardingPaymentStep: 'DEPOSIT', intakeDepositCents: 5000 },
  });
  const client = await createPayingClient(db, practice);
  const session = await signIn(db, practice.organizationId, client.email, CLIENT_PASSWORD);
  const cookie = `${SESSION_COOKIE}=${session}`;

  const home = await fetch(`${service.api.url}/portal/${practice.slug}`, { headers: { cookie } });
  const html = await home.text();
  expect(home.status).toBe(200);
  expect(html).toContain('intake deposit of $50.00');
  // The button's form may lead to Stripe's page, and only there besides this site.
  expect(home.headers.get('content-security-policy')).toContain("form-action 'self' https://checkout.stripe.com");
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';
  const pressed = await fetch(`${service.api.url}/portal/${practice.slug}/account/onboarding-step`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: field('_csrf'), submissionKey: field('submissionKey') }).toString(),
    redirect: 'manual',
  });
  expect(pressed.status).toBe(303);
  expect(pressed.headers.get('location')).toMatch(/^https:\/\/checkout\.stripe\.com\//);
  const request = await db.paymentRequest.findFirstOrThrow({ where: { clientId: client.holder.clientId } });
  expect(request).toMatchObject({ kind: 'DEPOSIT', amountCents: 5000, onboardingId: client.onboardingId });
  const onboarding = await service.get(`/v1/onboardings/${client.onboardingId}`, {
    authorization: `Bearer ${practice.keys.admin}`,
  });
  expect(((await onboarding.json()) as { paymentStep: unknown }).paymentStep).toEqual({
    kind: 'DEPOSIT',
    amountCents: 5000,
    status: 'IN_PROGRESS',
    paymentRequestId: request.id,
  });
});
