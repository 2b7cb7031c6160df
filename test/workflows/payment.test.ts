/**
 * The payment workflow on the time-skipping server: an hour's checkout
 * timeout passes in milliseconds. Real activities against a real database,
 * with the local provider (payments/local-provider.ts) as the card processor;
 * the Stripe provider is tested against stripe-mock in test/payments and
 * test/integration/payments.test.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import {
  accountOverview,
  cancelPayment,
  startPayment,
  type PaymentDeps,
} from '../../use-cases/billing/portal-payments';
import { onboardingPaymentStep } from '../../use-cases/billing/onboarding-payment-step';
import { receivePaymentEvent } from '../../use-cases/billing/receive-payment-event';
import { listOutbox } from '../../emails/mailer';
import { createMetrics } from '../../observability/metrics';
import { createLocalPaymentProvider, type LocalPaymentProvider } from '../../payments/local-provider';
import type { PaymentProvider } from '../../payments/payment-provider';
import type { PayloadKey } from '../../temporal/payload-codec';
import { paymentDurations } from '../../temporal.config';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  getPaymentStateQuery,
  paymentEventSignal,
  paymentWorkflowId,
  type paymentRequest,
  type PaymentState,
} from '../../workflows/payment';
import { testActivityDeps, TEST_PUBLIC_BASE_URL } from '../support/activity-deps';
import { newWebhookSecret, verifyWebhook } from '../../security/standard-webhooks';
import { createTestOrganization, testSecretBox, type TestOrganization } from '../support/factories';
import {
  createPayingClient,
  enablePayments,
  giveInvoice,
  submissionKey,
  testInvoice,
  type PayingClient,
} from '../support/payments';
import { timelineOf } from '../support/invitations';
import { metricValue } from '../support/metrics';
import { eventually } from '../support/service';
import { createTestWorker, createTimeSkippingEnv, testPayloadKeys, testTaskQueue } from '../support/temporal';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

let env: TestWorkflowEnvironment;
let database: TestDatabase;
let keys: PayloadKey[];
let deps: ReturnType<typeof testActivityDeps>;
let worker: Worker;
let workerRun: Promise<void>;
let taskQueue: string;
let local: LocalPaymentProvider;
/** What the activities call: the local provider, with a way to make one call fail after it reached the provider. */
let provider: PaymentProvider;
const chargeKeys: string[] = [];
let failNextChargeAfterCall = false;
/** While above 0, saved-card charges answer "processing" and the provider says so this many more times when asked. */
let processingAnswersLeft = 0;
let org: TestOrganization;
const metrics = createMetrics({ processMetrics: false });

beforeAll(async () => {
  keys = testPayloadKeys();
  [env, database] = await Promise.all([createTimeSkippingEnv(keys), createTestDatabase()]);
  local = createLocalPaymentProvider({ publicBaseUrl: TEST_PUBLIC_BASE_URL });
  provider = {
    ...local,
    async chargeSavedCard(input) {
      chargeKeys.push(input.idempotencyKey);
      const result = await local.chargeSavedCard(input);
      if (processingAnswersLeft > 0) return { ...result, status: 'processing' };
      if (failNextChargeAfterCall) {
        // The charge went through but the worker "crashed" before it heard back: the retry must not charge again.
        failNextChargeAfterCall = false;
        throw new Error('connection reset after the charge was made');
      }
      return result;
    },
    async getPayment(paymentIntentId) {
      const payment = await local.getPayment(paymentIntentId);
      if (processingAnswersLeft <= 0) return payment;
      processingAnswersLeft -= 1;
      return { ...payment, status: 'processing' };
    },
  };
  deps = testActivityDeps(database.db);
  taskQueue = testTaskQueue();
  worker = await createTestWorker(env, {
    taskQueue,
    keys,
    activities: createActivities({ ...deps, payments: provider, metrics }),
  });
  workerRun = worker.run();
  org = await createTestOrganization(database.db);
  await enablePayments(database.db, org.organizationId);
});

afterAll(async () => {
  worker?.shutdown();
  await workerRun;
  await env?.teardown();
  await database?.drop();
});

function paymentDeps(): PaymentDeps {
  return { db: database.db, temporal: env.client, taskQueue, payments: provider };
}

async function clientOwing(balanceCents: number[]): Promise<PayingClient> {
  const client = await createPayingClient(database.db, org, { assignedStaffId: org.therapistId });
  for (const [index, balance] of balanceCents.entries()) {
    await giveInvoice(
      database.db,
      org,
      client,
      testInvoice({
        issuedOn: `2026-10-0${index + 1}`,
        balanceCents: balance,
        lines: [
          {
            serviceDate: `2026-10-0${index + 1}`,
            description: 'Session',
            serviceCode: '90834',
            units: 1,
            amountCents: 20000,
          },
        ],
      }),
    );
  }
  return client;
}

function checkoutIdOf(url: string): string {
  return url.split('/').pop()!;
}

/** The client pays on the (local) provider's page, and its confirmation is delivered as the webhook would. */
async function payOnCheckout(started: { link: unknown }) {
  const event = local.completeCheckout(checkoutIdOf((started.link as { url: string }).url));
  if (!event) throw new Error('the checkout was not open');
  return receivePaymentEvent(paymentDeps(), 'local', event);
}

async function requestOf(paymentRequestId: string) {
  return database.db.paymentRequest.findUniqueOrThrow({ where: { id: paymentRequestId }, include: { payment: true } });
}

async function finished(paymentRequestId: string): Promise<PaymentState> {
  return env.client.workflow.getHandle<typeof paymentRequest>(paymentWorkflowId(paymentRequestId)).result();
}

async function emailsTo(to: string) {
  return (await listOutbox(deps.outboxDir)).filter((message) => message.to === to);
}

test('paying on the hosted page records one payment against the oldest invoices, emails a receipt and notifies admin and therapist', async () => {
  const client = await clientOwing([6000, 4000]);
  const started = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'BALANCE', amountCents: 8000, saveCard: true, paymentCardId: null, submissionKey: submissionKey() },
    {},
  );
  expect(started.link).toEqual({
    next: 'redirect',
    url: expect.stringMatching(/\/dev\/checkout\/cs_local_/) as string,
  });
  expect((await requestOf(started.paymentRequestId)).status).toBe('AWAITING_PAYMENT');

  const event = local.completeCheckout(checkoutIdOf((started.link as { url: string }).url))!;
  expect(await receivePaymentEvent(paymentDeps(), 'local', event)).toEqual({
    accepted: true,
    paymentRequestId: started.paymentRequestId,
  });
  const state = await finished(started.paymentRequestId);
  expect(state).toMatchObject({
    outcome: 'SUCCEEDED',
    receiptNumber: expect.stringMatching(/^R-[0-9A-F]{10}$/) as string,
  });

  const request = await requestOf(started.paymentRequestId);
  expect(request.status).toBe('SUCCEEDED');
  expect(request.payment).toMatchObject({ amountCents: 8000, cardBrand: 'visa', cardLast4: '4242' });
  const counted = await metrics.registry.metrics();
  expect(metricValue(counted, 'payments_completed_total', { kind: 'BALANCE', outcome: 'SUCCEEDED' })).toBe(1);
  expect(metricValue(counted, 'payment_amount_cents_total', { kind: 'BALANCE' })).toBe(8000);
  const invoices = await database.db.invoice.findMany({
    where: { clientId: client.holder.clientId },
    orderBy: { issuedOn: 'asc' },
  });
  expect(invoices.map((invoice) => [invoice.balanceCents, invoice.status])).toEqual([
    [0, 'PAID'],
    [2000, 'OPEN'],
  ]);
  // The card was saved with consent, and as the first card it is the default.
  const cards = await database.db.paymentCard.findMany({ where: { clientId: client.holder.clientId } });
  expect(cards).toEqual([expect.objectContaining({ last4: '4242', isDefault: true })]);

  const receipt = await emailsTo(client.email);
  expect(receipt).toHaveLength(1);
  expect(receipt[0]!.subject).toContain('$80.00');
  const staff = await database.db.staffUser.findMany({ where: { organizationId: org.organizationId } });
  const emailOf = (id: string) => staff.find((member) => member.id === id)!.email;
  const aboutThis = async (id: string) =>
    (await emailsTo(emailOf(id))).filter((message) => message.text.includes(state.receiptNumber ?? '-'));
  expect(await aboutThis(org.adminId)).toHaveLength(1);
  expect(await aboutThis(org.therapistId)).toHaveLength(1);
  // Only the assigned therapist, not every therapist of the practice.
  expect(await aboutThis(org.permittedTherapistId)).toHaveLength(0);
  const staffEmail = (await aboutThis(org.adminId))[0]!;
  expect(staffEmail.text).toContain(client.externalChartId);
  expect(staffEmail.text).not.toContain(client.lastName);

  // The provider redelivers the webhook, then sends the other event of the same payment: nothing changes.
  expect(await receivePaymentEvent(paymentDeps(), 'local', event)).toMatchObject({ accepted: false });
  await receivePaymentEvent(paymentDeps(), 'local', { ...event, eventId: `${event.eventId}-second-type` });
  expect(await database.db.payment.count({ where: { clientId: client.holder.clientId } })).toBe(1);
  expect(await emailsTo(client.email)).toHaveLength(1);
  const overview = await accountOverview(paymentDeps(), client.holder, { sort: 'date', order: 'desc' });
  expect(overview.balanceCents).toBe(2000);
});

test('the same review page posted twice, and a second tab, lead to one payment request and one checkout', async () => {
  const client = await clientOwing([5000]);
  const key = submissionKey();
  const input = {
    kind: 'BALANCE' as const,
    amountCents: 5000,
    saveCard: false,
    paymentCardId: null,
    submissionKey: key,
  };
  const [first, second] = await Promise.all([
    startPayment(paymentDeps(), client.holder, input, {}),
    startPayment(paymentDeps(), client.holder, input, {}),
  ]);
  expect(second.paymentRequestId).toBe(first.paymentRequestId);
  expect(second.link).toEqual(first.link);
  const otherTab = await startPayment(paymentDeps(), client.holder, { ...input, submissionKey: submissionKey() }, {});
  expect(otherTab).toMatchObject({ paymentRequestId: first.paymentRequestId, alreadyOpen: true });
  expect(await database.db.paymentRequest.count({ where: { clientId: client.holder.clientId } })).toBe(1);

  // Paying it in both tabs: the checkout completes once; the second "Pay" finds it complete.
  const checkoutId = checkoutIdOf((first.link as { url: string }).url);
  const event = local.completeCheckout(checkoutId)!;
  expect(local.completeCheckout(checkoutId)).toBeNull();
  await receivePaymentEvent(paymentDeps(), 'local', event);
  await finished(first.paymentRequestId);
  expect(await database.db.payment.count({ where: { clientId: client.holder.clientId } })).toBe(1);
});

test('a checkout nobody pays is ended at the provider after the timeout and the balance stays open', async () => {
  const client = await clientOwing([7000]);
  const started = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'BALANCE', amountCents: 7000, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
    {},
  );
  await env.sleep(paymentDurations.checkoutTimeoutMs + 60_000);
  expect(await finished(started.paymentRequestId)).toMatchObject({ outcome: 'ABANDONED', lastFailure: 'timed-out' });
  expect((await requestOf(started.paymentRequestId)).status).toBe('ABANDONED');
  expect(
    metricValue(await metrics.registry.metrics(), 'payments_completed_total', {
      kind: 'BALANCE',
      outcome: 'ABANDONED',
    }),
  ).toBeGreaterThanOrEqual(1);
  expect(local.viewCheckout(checkoutIdOf((started.link as { url: string }).url))?.status).toBe('expired');
  expect((await accountOverview(paymentDeps(), client.holder, { sort: 'date', order: 'desc' })).balanceCents).toBe(
    7000,
  );
  expect(await emailsTo(client.email)).toHaveLength(0);
  // A confirmation that arrives after the flow gave up is not dropped silently: it is flagged for reconciliation.
  const late = await receivePaymentEvent(paymentDeps(), 'local', {
    eventId: `evt_late_${started.paymentRequestId}`,
    kind: 'payment.succeeded',
    paymentRequestId: started.paymentRequestId,
    paymentIntentId: 'pi_local_late',
    amountCents: 7000,
  });
  expect(late).toEqual({ accepted: true, paymentRequestId: started.paymentRequestId, unrecorded: true });
  expect(await database.db.payment.count({ where: { clientId: client.holder.clientId } })).toBe(0);
});

test('a payment whose webhook was lost is found at the provider before the flow gives up', async () => {
  const client = await clientOwing([3000]);
  const started = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'BALANCE', amountCents: 3000, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
    {},
  );
  // Paid on the provider's page; the webhook never arrives.
  expect(local.completeCheckout(checkoutIdOf((started.link as { url: string }).url))).not.toBeNull();
  await env.sleep(paymentDurations.checkoutTimeoutMs + 60_000);
  expect(await finished(started.paymentRequestId)).toMatchObject({ outcome: 'SUCCEEDED' });
  expect((await requestOf(started.paymentRequestId)).payment?.amountCents).toBe(3000);
  expect(await emailsTo(client.email)).toHaveLength(1);
});

test('Cancel on the provider page ends the checkout at once; nothing is charged', async () => {
  const client = await clientOwing([3000]);
  const started = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'BALANCE', amountCents: 3000, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
    {},
  );
  await cancelPayment(paymentDeps(), client.holder, started.paymentRequestId);
  expect(await finished(started.paymentRequestId)).toMatchObject({
    outcome: 'ABANDONED',
    lastFailure: 'cancelled-by-client',
  });
  expect(local.viewCheckout(checkoutIdOf((started.link as { url: string }).url))?.status).toBe('expired');
  expect(await database.db.payment.count({ where: { clientId: client.holder.clientId } })).toBe(0);
});

test('a saved card is charged at once, and a retried charge after a crash charges once', async () => {
  const client = await clientOwing([9000]);
  // Save a card first (cards on file: Add a card).
  const setup = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'CARD_SETUP', amountCents: 0, saveCard: true, paymentCardId: null, submissionKey: submissionKey() },
    {},
  );
  await payOnCheckout(setup);
  expect(await finished(setup.paymentRequestId)).toMatchObject({ outcome: 'SUCCEEDED' });
  const card = await database.db.paymentCard.findFirstOrThrow({ where: { clientId: client.holder.clientId } });
  expect(card.isDefault).toBe(true);

  chargeKeys.length = 0;
  failNextChargeAfterCall = true;
  const paid = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'BALANCE', amountCents: 9000, saveCard: false, paymentCardId: card.id, submissionKey: submissionKey() },
    {},
  );
  expect(await finished(paid.paymentRequestId)).toMatchObject({ outcome: 'SUCCEEDED' });
  // Two calls reached the provider, under one idempotency key: one charge.
  expect(chargeKeys).toEqual([`payment:${paid.paymentRequestId}:charge`, `payment:${paid.paymentRequestId}:charge`]);
  expect(await database.db.payment.count({ where: { paymentRequestId: paid.paymentRequestId } })).toBe(1);
  expect((await accountOverview(paymentDeps(), client.holder, { sort: 'date', order: 'desc' })).balanceCents).toBe(0);
});

test('the workflow history holds ids only: no name, email or date of birth of the client', async () => {
  const client = await clientOwing([2500]);
  const started = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'BALANCE', amountCents: 2500, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
    {},
  );
  await payOnCheckout(started);
  await finished(started.paymentRequestId);
  const handle = env.client.workflow.getHandle(paymentWorkflowId(started.paymentRequestId));
  expect(await handle.query(getPaymentStateQuery)).toMatchObject({ outcome: 'SUCCEEDED' });
  const history = JSON.stringify(await handle.fetchHistory());
  for (const phi of [client.firstName, client.lastName, client.email, '1984-03-02']) {
    expect(history).not.toContain(phi);
  }
  await eventually(async () => ((await emailsTo(client.email)).length === 1 ? true : undefined));
});

describe("the onboarding's payment step", () => {
  test('an intake deposit is asked once, paid, shown as done and on the timeline, and not taken off invoices', async () => {
    const practice = await createTestOrganization(database.db);
    await database.db.organization.update({
      where: { id: practice.organizationId },
      data: { paymentsEnabled: true, onboardingPaymentStep: 'DEPOSIT', intakeDepositCents: 7500 },
    });
    const client = await createPayingClient(database.db, practice);
    await giveInvoice(database.db, practice, client, testInvoice({ balanceCents: 4000 }));
    const onboarding = {
      id: client.onboardingId,
      organizationId: practice.organizationId,
      clientId: client.holder.clientId,
    };
    expect(await onboardingPaymentStep(database.db, onboarding)).toMatchObject({
      kind: 'DEPOSIT',
      amountCents: 7500,
      status: 'OUTSTANDING',
    });

    // The amount is the practice's, whatever the page posted.
    const started = await startPayment(
      paymentDeps(),
      client.holder,
      {
        kind: 'DEPOSIT',
        amountCents: 1,
        saveCard: false,
        paymentCardId: null,
        submissionKey: submissionKey(),
        onboardingStep: true,
      },
      {},
    );
    expect((await requestOf(started.paymentRequestId)).amountCents).toBe(7500);
    expect(await onboardingPaymentStep(database.db, onboarding)).toMatchObject({ status: 'IN_PROGRESS' });
    await payOnCheckout(started);
    expect(await finished(started.paymentRequestId)).toMatchObject({ outcome: 'SUCCEEDED' });
    expect(await onboardingPaymentStep(database.db, onboarding)).toMatchObject({
      status: 'DONE',
      paymentRequestId: started.paymentRequestId,
    });
    expect(await timelineOf(database.db, client.onboardingId)).toContain('payment.deposit_paid');
    // A deposit is a credit the EHR applies: the invoice it knows nothing about yet keeps its balance.
    const invoice = await database.db.invoice.findFirstOrThrow({ where: { clientId: client.holder.clientId } });
    expect(invoice.balanceCents).toBe(4000);
  });

  test('a card on file step is done by saving a card; a practice without the step refuses a deposit', async () => {
    const practice = await createTestOrganization(database.db);
    await database.db.organization.update({
      where: { id: practice.organizationId },
      data: { paymentsEnabled: true, onboardingPaymentStep: 'CARD_ON_FILE' },
    });
    const client = await createPayingClient(database.db, practice);
    const onboarding = {
      id: client.onboardingId,
      organizationId: practice.organizationId,
      clientId: client.holder.clientId,
    };
    await expect(
      startPayment(
        paymentDeps(),
        client.holder,
        {
          kind: 'DEPOSIT',
          amountCents: 0,
          saveCard: false,
          paymentCardId: null,
          submissionKey: submissionKey(),
          onboardingStep: true,
        },
        {},
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const setup = await startPayment(
      paymentDeps(),
      client.holder,
      {
        kind: 'CARD_SETUP',
        amountCents: 0,
        saveCard: true,
        paymentCardId: null,
        submissionKey: submissionKey(),
        onboardingStep: true,
      },
      {},
    );
    await payOnCheckout(setup);
    expect(await finished(setup.paymentRequestId)).toMatchObject({ outcome: 'SUCCEEDED' });
    expect(await onboardingPaymentStep(database.db, onboarding)).toMatchObject({
      kind: 'CARD_ON_FILE',
      status: 'DONE',
    });
    expect(await timelineOf(database.db, client.onboardingId)).toContain('payment.card_saved');
    // No receipt for saving a card.
    expect(await emailsTo(client.email)).toHaveLength(0);
  });
});

test('the EHR is called back with payment.succeeded: the receipt, amount and invoices paid, no PHI', async () => {
  const practice = await createTestOrganization(database.db);
  await enablePayments(database.db, practice.organizationId);
  const secret = newWebhookSecret();
  const received: { body: string; verification: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = {
        id: req.headers['webhook-id'] as string | undefined,
        timestamp: req.headers['webhook-timestamp'] as string | undefined,
        signature: req.headers['webhook-signature'] as string | undefined,
      };
      received.push({ body, verification: verifyWebhook([secret], headers, body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  try {
    await database.db.ehrIntegration.update({
      where: { id: practice.integrationId },
      data: {
        callbackUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks`,
        callbackSecret: testSecretBox.seal(secret),
      },
    });
    const client = await createPayingClient(database.db, practice);
    const invoice = testInvoice({ balanceCents: 4200 });
    await giveInvoice(database.db, practice, client, invoice);
    const started = await startPayment(
      paymentDeps(),
      client.holder,
      { kind: 'BALANCE', amountCents: 4200, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
      {},
    );
    await payOnCheckout(started);
    const state = await finished(started.paymentRequestId);
    await eventually(async () => (received.length > 0 ? true : undefined), { what: 'the payment callback' });
    expect(received).toHaveLength(1);
    expect(received[0]!.verification).toBe('valid');
    const payload = JSON.parse(received[0]!.body) as { type: string; data: Record<string, unknown> };
    expect(payload).toMatchObject({
      type: 'payment.succeeded',
      data: {
        onboardingId: client.onboardingId,
        externalChartId: client.externalChartId,
        paymentRequestId: started.paymentRequestId,
        amountCents: 4200,
        receiptNumber: state.receiptNumber,
        externalInvoiceIds: invoice.externalInvoiceId,
      },
    });
    for (const phi of [client.firstName, client.lastName, client.email]) expect(received[0]!.body).not.toContain(phi);
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});

test('a saved-card charge still processing at the provider is waited for, not abandoned, and recorded once it goes through', async () => {
  const client = await clientOwing([3300]);
  const setup = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'CARD_SETUP', amountCents: 0, saveCard: true, paymentCardId: null, submissionKey: submissionKey() },
    {},
  );
  await payOnCheckout(setup);
  await finished(setup.paymentRequestId);
  const card = await database.db.paymentCard.findFirstOrThrow({ where: { clientId: client.holder.clientId } });

  // The charge answers "processing", and the provider still says so at the first two hourly checks.
  processingAnswersLeft = 3;
  const paid = await startPayment(
    paymentDeps(),
    client.holder,
    { kind: 'BALANCE', amountCents: 3300, saveCard: false, paymentCardId: card.id, submissionKey: submissionKey() },
    {},
  );
  expect(paid.link).toMatchObject({ next: 'status' });
  await env.sleep(paymentDurations.checkoutTimeoutMs * 2 + 60_000);
  expect((await requestOf(paid.paymentRequestId)).status).toBe('PROCESSING');
  await env.sleep(paymentDurations.checkoutTimeoutMs + 60_000);
  expect(await finished(paid.paymentRequestId)).toMatchObject({ outcome: 'SUCCEEDED' });
  expect((await requestOf(paid.paymentRequestId)).payment?.amountCents).toBe(3300);
  expect(processingAnswersLeft).toBe(0);
});

describe('forged payment events (issue 14, item 1)', () => {
  test('a plain-JSON signal from someone without the payload key is refused, even naming a real payment', async () => {
    const client = await clientOwing([2500]);
    const started = await startPayment(
      paymentDeps(),
      client.holder,
      { kind: 'BALANCE', amountCents: 2500, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
      {},
    );
    // The client really paid at the provider, but its confirmation has not come in yet...
    const event = local.completeCheckout(checkoutIdOf((started.link as { url: string }).url));
    if (event?.kind !== 'payment.succeeded') throw new Error('expected a payment');
    // ...and someone who can reach the namespace, with no key, signals it in plain JSON.
    const keyless = new Client({ connection: env.client.connection, namespace: env.namespace ?? 'default' });
    const handle = keyless.workflow.getHandle(paymentWorkflowId(started.paymentRequestId));
    await handle.signal(paymentEventSignal, {
      kind: 'payment.succeeded',
      paymentIntentId: event.paymentIntentId,
      amountCents: 2500,
    });
    // The worker refuses to decode the signal: the workflow task fails and is retried, nothing is recorded.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await requestOf(started.paymentRequestId)).status).toBe('AWAITING_PAYMENT');
    expect(await database.db.payment.count({ where: { clientId: client.holder.clientId } })).toBe(0);
    await env.client.workflow.getHandle(paymentWorkflowId(started.paymentRequestId)).terminate('test over');
  });

  test('an encrypted signal is still checked with the provider: a payment it does not confirm records nothing', async () => {
    const client = await clientOwing([4200]);
    const started = await startPayment(
      paymentDeps(),
      client.holder,
      { kind: 'BALANCE', amountCents: 4200, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
      {},
    );
    const handle = env.client.workflow.getHandle<typeof paymentRequest>(paymentWorkflowId(started.paymentRequestId));
    await handle.signal(paymentEventSignal, {
      kind: 'payment.succeeded',
      paymentIntentId: 'pi_never_paid',
      amountCents: 4200,
    });
    const failure = await handle.result().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('PaymentNotConfirmedByProvider');
    const request = await requestOf(started.paymentRequestId);
    expect([request.status, request.failureReason, request.payment]).toEqual([
      'FAILED',
      'not-confirmed-by-provider',
      null,
    ]);
    const invoice = await database.db.invoice.findFirstOrThrow({ where: { clientId: client.holder.clientId } });
    expect(invoice.balanceCents).toBe(4200);
    expect(await emailsTo(client.email)).toHaveLength(0);
  });
});
