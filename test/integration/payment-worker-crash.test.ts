/**
 * Durability of payments: the production worker (a real process, Stripe's SDK
 * against stripe-mock) is killed with SIGKILL while it records a batch of
 * confirmed payments and sends their receipts. Another worker takes over, and
 * every payment is recorded once, every receipt and staff notification sent
 * once, and no checkout was opened twice at Stripe.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';
import { startPayment, type PaymentDeps } from '../../use-cases/billing/portal-payments';
import { listOutbox } from '../../emails/mailer';
import { createStripeProvider } from '../../payments/stripe-provider';
import { createTestOrganization, type TestOrganization } from '../support/factories';
import {
  createPayingClient,
  enablePayments,
  giveInvoice,
  submissionKey,
  testInvoice,
  type PayingClient,
} from '../support/payments';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { eventually, startTestService, type TestService } from '../support/service';
import { startStripeMock, type StripeMock } from '../support/stripe-mock';
import { spawnWorkerProcess, type WorkerProcess } from '../support/worker-process';

const PAYMENTS = 60;
const WEBHOOK_SECRET = `whsec_${randomBytes(16).toString('hex')}`;
const SECRET_KEY = `sk_test_${randomBytes(12).toString('hex')}`;

let stripeMock: StripeMock;
let proxy: RecordingProxy;
let service: TestService;
let org: TestOrganization;
const processes: WorkerProcess[] = [];

beforeAll(async () => {
  stripeMock = await startStripeMock();
  proxy = await startRecordingProxy(stripeMock.baseUrl);
  service = await startTestService({
    payments: createStripeProvider({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, apiBaseUrl: proxy.url }),
  });
  org = await createTestOrganization(service.database.db);
  await enablePayments(service.database.db, org.organizationId);
}, 60_000);

afterAll(async () => {
  for (const worker of processes) worker.child.kill('SIGKILL');
  await service?.stop();
  await proxy?.stop();
  await stripeMock?.stop();
});

function worker(): WorkerProcess {
  const started = spawnWorkerProcess({
    ...service.processEnv,
    PAYMENTS_PROVIDER: 'stripe',
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE_URL: proxy.url,
  });
  processes.push(started);
  return started;
}

/**
 * Stripe's checkout.session.completed for this payment, signed as Stripe signs;
 * and Stripe's PaymentIntent, when the worker reads it back before recording
 * (however often a killed worker's retries ask), is this request's, paid in full.
 */
async function completed(paymentRequestId: string, checkoutId: string, amountCents: number) {
  const paymentIntentId = `pi_${randomBytes(12).toString('hex')}`;
  const { client } = await service.database.db.paymentRequest.findUniqueOrThrow({
    where: { id: paymentRequestId },
    select: { client: { select: { paymentCustomerId: true } } },
  });
  proxy.rewriteNext(
    { method: 'GET', path: `/v1/payment_intents/${paymentIntentId}` },
    (intent) => ({
      ...intent,
      id: paymentIntentId,
      status: 'succeeded',
      amount_received: amountCents,
      currency: 'usd',
      customer: client.paymentCustomerId,
      metadata: { paymentRequestId },
    }),
    10,
  );
  const event = JSON.parse(
    readFileSync(path.join(__dirname, '../payments/fixtures/checkout.session.completed.payment.json'), 'utf8'),
  ) as { id: string; data: { object: Record<string, unknown> } };
  event.id = `evt_${randomBytes(12).toString('hex')}`;
  Object.assign(event.data.object, {
    id: checkoutId,
    amount_total: amountCents,
    payment_intent: paymentIntentId,
    metadata: { paymentRequestId, organizationId: org.organizationId },
  });
  const body = JSON.stringify(event);
  return service.post('/v1/webhooks/payments/stripe', body, {
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret: WEBHOOK_SECRET }),
  });
}

it('records every payment and sends every receipt exactly once after the worker is killed mid-batch', async () => {
  const { db } = service.database;
  const clients: PayingClient[] = [];
  for (let i = 0; i < PAYMENTS; i += 1) {
    const client = await createPayingClient(db, org, { assignedStaffId: org.therapistId, password: false });
    await giveInvoice(db, org, client, testInvoice({ balanceCents: 1000 + i }));
    clients.push(client);
  }
  const deps: PaymentDeps = {
    db,
    temporal: service.env.client,
    taskQueue: service.taskQueue,
    payments: service.payments!,
  };

  const first = worker();
  // Every client confirms Pay Now: one checkout each is opened at Stripe by the first worker.
  const started: { paymentRequestId: string; client: PayingClient; amountCents: number }[] = [];
  for (let i = 0; i < PAYMENTS; i += 10) {
    const batch = clients.slice(i, i + 10);
    started.push(
      ...(await Promise.all(
        batch.map(async (client, j) => {
          const amountCents = 1000 + i + j;
          const result = await startPayment(
            deps,
            client.holder,
            { kind: 'BALANCE', amountCents, saveCard: false, paymentCardId: null, submissionKey: submissionKey() },
            {},
          );
          return { paymentRequestId: result.paymentRequestId, client, amountCents };
        }),
      )),
    );
  }
  const requests = await eventually(
    async () => {
      const rows = await db.paymentRequest.findMany({
        where: { organizationId: org.organizationId, checkoutId: { not: null } },
      });
      return rows.length === PAYMENTS ? rows : undefined;
    },
    { timeoutMs: 60_000, what: `every checkout to be opened (worker output: ${first.output().slice(-2000)})` },
  );

  // Stripe confirms them all at once; the first worker dies while recording them and sending receipts.
  const receiptsSent = () =>
    db.emailMessage.count({
      where: { organizationId: org.organizationId, template: 'payment-receipt', status: 'SENT' },
    });
  const deliveries = Promise.all(
    started.map(({ paymentRequestId, amountCents }) =>
      completed(paymentRequestId, requests.find((row) => row.id === paymentRequestId)!.checkoutId!, amountCents),
    ),
  );
  const sentAtKill = await eventually(
    async () => {
      const sent = await receiptsSent();
      return sent >= 3 ? sent : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 5, what: 'the first worker to send receipts' },
  );
  first.child.kill('SIGKILL');
  expect(await first.exited).toBe('SIGKILL');
  // If this fails the machine was too fast to kill the worker mid-batch: raise PAYMENTS.
  expect(sentAtKill).toBeLessThan(PAYMENTS);
  expect((await deliveries).map((response) => response.status)).toEqual(started.map(() => 200));

  const second = worker();
  await eventually(
    async () =>
      (await db.emailMessage.count({ where: { organizationId: org.organizationId, status: 'SENT' } })) === 3 * PAYMENTS
        ? true
        : undefined,
    {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: `every receipt and staff email (output: ${second.output().slice(-2000)})`,
    },
  );

  const payments = await db.payment.findMany({ where: { organizationId: org.organizationId } });
  expect(payments).toHaveLength(PAYMENTS);
  for (const { paymentRequestId, amountCents } of started) {
    expect(
      payments.filter((payment) => payment.paymentRequestId === paymentRequestId).map((p) => p.amountCents),
    ).toEqual([amountCents]);
  }
  expect(await db.invoice.count({ where: { organizationId: org.organizationId, status: 'PAID' } })).toBe(PAYMENTS);
  const outbox = await listOutbox(service.outboxDir);
  for (const { client } of started) {
    expect(outbox.filter((message) => message.to === client.email)).toHaveLength(1);
  }
  // Admin and therapist, once per payment.
  expect(outbox).toHaveLength(3 * PAYMENTS);
  // One checkout per payment at Stripe, whatever was retried.
  const keys = proxy
    .matching({ method: 'POST', path: '/v1/checkout/sessions' })
    .map((request) => request.idempotencyKey);
  expect(new Set(keys).size).toBe(PAYMENTS);

  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  // Two worker processes start and a batch is paid on a shared 2-core machine: more than the default minute.
}, 150_000);
