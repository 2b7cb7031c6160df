/**
 * `npm run bench:payments`: how long Pay Now takes under load, from the
 * client's confirm to the provider's checkout link, and from the provider's
 * confirmation to the recorded payment and the emailed receipt; how many
 * payments per second the stack records; and that redelivered confirmations
 * record nothing twice.
 *
 * Everything is real and local, as in `npm start`: a Temporal dev server in
 * memory, the worker with its activities, the API on a random port, PGlite in
 * memory or a throw-away database on the PostgreSQL server of
 * BENCH_DATABASE_URL (created and dropped here), the local payment provider
 * shared by the API and the worker in this process, and the email outbox in a
 * temporary folder (removed at the end). Only loopback traffic.
 *
 *   npm run -s bench:payments -- --n 200 --concurrency 16
 *   BENCH_DATABASE_URL=postgresql://postgres:postgres@localhost:5432/postgres npm run -s bench:payments -- --n 300
 *
 * N clients of one practice (payments on) each have an open invoice. C of
 * them pay at a time, each as a browser would, one after the other:
 *   1. Pay Now's confirm: `startPayment` (payment request, workflow, and the
 *      checkoutLink update answered once the provider's page is open), timed
 *      as "confirm → checkout link". Called directly with the Temporal
 *      client: over HTTP it would need a portal session and CSRF token.
 *   2. The checkout page over HTTP (GET /dev/checkout/:id on the API).
 *   3. "Pay" on it: the local provider completes the checkout and gives the
 *      event Stripe's webhook would carry; `receivePaymentEvent` takes it
 *      (the local provider has no webhook route). From just before this,
 *      "confirmation → payment recorded" (payment.paid_at) and "→ receipt
 *      sent" (the receipt's email_message.sent_at), both stamped by the
 *      worker with the clock used here; found by polling the rows.
 * Then a burst: every event delivered once more, C at a time; each must be
 * ignored, and at the end the database must hold exactly N payments, N
 * receipts and every invoice paid.
 *
 * Each of the C lanes waits for its client's receipt before taking the next
 * client (a closed loop): the throughput is what the stack sustains with C
 * payments in flight, and a latency is one payment's, not a backlog's. One
 * payment by an extra client goes first, outside the figures, as a warm-up.
 *
 * For finding the bottleneck the result also holds each activity's durations
 * (from the worker's own activity log), a sample of workflow histories split
 * into Temporal's queue waits and run times, the CPU taken by this process,
 * the Temporal server and the rest of the machine, and how busy this
 * process's event loop was (the API, the worker and the bench share it; with
 * PGlite the database runs on it too).
 *
 * Progress goes to stderr. The result is the last line of stdout, one JSON
 * object (the Temporal CLI prints its start-up banner to stdout before it):
 * `npm run -s bench:payments | tail -n 1 >> bench-results.jsonl`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { startPayment, type PaymentDeps } from '../use-cases/billing/portal-payments';
import { receiveInvoice } from '../use-cases/billing/receive-invoice';
import { receivePaymentEvent } from '../use-cases/billing/receive-payment-event';
import { onboardingWorkflowId } from '../use-cases/onboarding/start-onboarding';
import {
  createWorkerFromConfig,
  paymentProviderFromConfig,
  secretBoxFromConfig,
  startApiFromConfig,
} from '../app/from-config';
import { loadConfig } from '../config/env';
import { createDb, type Db } from '../db/client';
import { migrate } from '../db/migrate';
import type { TInvoice } from '../domain/billing';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { createLogger } from '../observability/logger';
import type { LocalPaymentProvider } from '../payments/local-provider';
import type { PaymentEvent } from '../payments/payment-provider';
import { DEMO, seedDemo } from '../prisma/seed';
import { newWebhookSecret } from '../security/standard-webhooks';
import { connectClient } from '../temporal/connection';
import { message, provisionDatabase, say, stopAll, summarize, UsageError, type Stage } from './bench-stack';
import { recordResult } from './results-log';
import { paymentWorkflowId } from '../workflows/payment';

const DEFAULT_N = 300;
const DEFAULT_CONCURRENCY = 16;
const MAX_N = 10_000;
const MAX_CONCURRENCY = 256;
/** Each client owes this on one invoice and pays all of it. */
const INVOICE_BALANCE_CENTS = 6_000;
/** The shared poll for recorded payments and sent receipts; latencies come from the rows' own stamps, not from it. */
const POLL_INTERVAL_MS = 25;
/** One payment that takes longer is counted as an error, and its client's turn ends. */
const PAYMENT_TIMEOUT_MS = 60_000;
/** No client starts paying after this; a run that hangs ends here. */
const RUN_TIMEOUT_MS = 10 * 60_000;
const DRAIN_TIMEOUT_MS = 30_000;
/** After Ctrl-C, how long the payments in flight get to settle before everything stops. */
const IN_FLIGHT_GRACE_MS = 12_000;
/** Workflow histories read after the run, to split the time between Temporal's queues and the activities. */
const HISTORY_SAMPLE = 25;
const MAX_REPORTED_FAILURES = 5;

interface BenchOptions {
  n: number;
  concurrency: number;
}

interface PayingClient {
  index: number;
  organizationId: string;
  clientId: string;
  portalAccountId: string;
  externalChartId: string;
}

interface PaymentResult {
  paymentRequestId: string;
  checkoutLinkMs: number;
  checkoutPageMs: number;
  deliverMs: number;
  /** Wall clock (Date.now) just before "Pay": the worker stamps paid_at and sent_at with the same clock. */
  confirmedAt: number;
  paidAt: number;
  receiptSentAt: number;
  event: PaymentEvent;
}

/** Set by Ctrl-C: stops paying and waiting, and makes the exit code say "interrupted" whichever path exits first. */
let interrupted = false;

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new UsageError(`${name} must be an integer from 1 to ${max}, got "${raw}"`);
  }
  return value;
}

/** CLI flags win over environment variables, which win over the defaults. */
function readOptions(): BenchOptions {
  let values: { n?: string; concurrency?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { n: { type: 'string' }, concurrency: { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(message(error));
  }
  return {
    n: positiveInt('--n (BENCH_N)', values.n ?? process.env.BENCH_N, DEFAULT_N, MAX_N),
    concurrency: positiveInt(
      '--concurrency (BENCH_CONCURRENCY)',
      values.concurrency ?? process.env.BENCH_CONCURRENCY,
      DEFAULT_CONCURRENCY,
      MAX_CONCURRENCY,
    ),
  };
}

/** Runs `task` over 0..count-1 with at most `concurrency` in flight. */
async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count && !interrupted) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

function invoiceFor(i: number, runId: string): TInvoice {
  return {
    externalInvoiceId: `INV-BENCH-${runId}-${i}`,
    issuedOn: '2026-11-02',
    dueOn: null,
    currency: 'usd',
    status: 'OPEN',
    lines: [
      {
        serviceDate: '2026-11-02',
        description: 'Psychotherapy, 53 min',
        serviceCode: '90837',
        units: 1,
        amountCents: 15_000,
      },
    ],
    balanceCents: INVOICE_BALANCE_CENTS,
    superbill: { providerName: 'Dr. Bench', npi: '1234567893', taxId: '12-3456789', placeOfService: '11' },
    credits: [],
    diagnosisCodes: [],
  };
}

/**
 * N registered clients of the demo practice, as onboarding leaves them (chart,
 * completed onboarding assigned to the demo therapist, active portal account;
 * as test/support/payments.ts createPayingClient, without the password hash,
 * which nothing here signs in with), each with an open invoice delivered as
 * the EHR's invoice.upserted webhook is (receiveInvoice).
 */
async function seedClients(db: Db, n: number, concurrency: number, runId: string): Promise<PayingClient[]> {
  const clients: PayingClient[] = Array.from({ length: n }, (_, index) => ({
    index,
    organizationId: DEMO.organizationId,
    clientId: randomUUID(),
    portalAccountId: randomUUID(),
    externalChartId: `CHART-BENCH-${runId}-${index}`,
  }));
  const email = (client: PayingClient) => `payer-${runId}-${client.index}@example.test`;
  await db.client.createMany({
    data: clients.map((client) => ({
      id: client.clientId,
      organizationId: client.organizationId,
      externalChartId: client.externalChartId,
      firstName: 'Bench',
      lastName: `Payer${client.index}`,
      dateOfBirth: new Date('1984-03-02T00:00:00Z'),
      email: email(client),
    })),
  });
  await db.onboarding.createMany({
    data: clients.map((client) => {
      const id = randomUUID();
      return {
        id,
        organizationId: client.organizationId,
        integrationId: DEMO.integrationId,
        externalChartId: client.externalChartId,
        workflowId: onboardingWorkflowId(id),
        clientId: client.clientId,
        inviteRequested: true,
        status: 'COMPLETE' as const,
        assignedStaffId: DEMO.therapistId,
      };
    }),
  });
  await db.portalAccount.createMany({
    data: clients.map((client) => ({
      id: client.portalAccountId,
      organizationId: client.organizationId,
      clientId: client.clientId,
      email: email(client),
      status: 'ACTIVE' as const,
      registeredAt: new Date(),
      passwordHash: null,
    })),
  });
  const integration = { id: DEMO.integrationId, organizationId: DEMO.organizationId, active: true };
  await inParallel(n, concurrency, async (i) => {
    const client = clients[i]!;
    await receiveInvoice(db, integration, `msg_bench_${runId}_${i}`, {
      type: 'invoice.upserted',
      data: { externalChartId: client.externalChartId, invoice: invoiceFor(i, runId), appliedReceiptNumbers: [] },
    });
  });
  return clients;
}

/**
 * One poll for everyone waiting: which payments are recorded and which
 * receipts sent. A payment's wait ends when both are there.
 */
class Settlements {
  private readonly waiting = new Map<
    string,
    {
      deadline: number;
      paidAt?: number;
      resolve: (stamps: { paidAt: number; receiptSentAt: number }) => void;
      reject: (error: Error) => void;
    }
  >();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly db: Db,
    private readonly workerFailed: () => unknown,
  ) {
    this.loop = this.poll();
  }

  wait(paymentRequestId: string): Promise<{ paidAt: number; receiptSentAt: number }> {
    return new Promise((resolve, reject) => {
      this.waiting.set(paymentRequestId, { deadline: Date.now() + PAYMENT_TIMEOUT_MS, resolve, reject });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    for (const [id, waiter] of this.waiting) waiter.reject(new Error(`stopped while waiting for ${id}`));
    this.waiting.clear();
  }

  private async poll(): Promise<void> {
    while (this.running) {
      await sleep(POLL_INTERVAL_MS);
      if (this.waiting.size === 0) continue;
      const workerError = this.workerFailed();
      try {
        if (workerError) throw new Error('the Temporal worker stopped', { cause: workerError });
        if (interrupted) throw new Error('interrupted');
        await this.check();
      } catch (error) {
        for (const waiter of this.waiting.values())
          waiter.reject(error instanceof Error ? error : new Error(String(error)));
        this.waiting.clear();
      }
    }
  }

  private async check(): Promise<void> {
    const unpaid = [...this.waiting].filter(([, waiter]) => waiter.paidAt === undefined).map(([id]) => id);
    if (unpaid.length > 0) {
      const paid = await this.db.payment.findMany({
        where: { paymentRequestId: { in: unpaid } },
        select: { paymentRequestId: true, paidAt: true },
      });
      for (const row of paid) {
        const waiter = this.waiting.get(row.paymentRequestId);
        if (waiter) waiter.paidAt = row.paidAt.getTime();
      }
    }
    const recorded = [...this.waiting].filter(([, waiter]) => waiter.paidAt !== undefined).map(([id]) => id);
    if (recorded.length > 0) {
      const sent = await this.db.emailMessage.findMany({
        where: { idempotencyKey: { in: recorded.map((id) => `payment-receipt:${id}`) }, status: 'SENT' },
        select: { idempotencyKey: true, sentAt: true },
      });
      for (const row of sent) {
        const id = row.idempotencyKey.slice('payment-receipt:'.length);
        const waiter = this.waiting.get(id);
        if (waiter?.paidAt === undefined || !row.sentAt) continue;
        this.waiting.delete(id);
        waiter.resolve({ paidAt: waiter.paidAt, receiptSentAt: row.sentAt.getTime() });
      }
    }
    const now = Date.now();
    for (const [id, waiter] of this.waiting) {
      if (now <= waiter.deadline) continue;
      this.waiting.delete(id);
      waiter.reject(
        new Error(
          `no ${waiter.paidAt === undefined ? 'payment recorded' : 'receipt sent'} after ${PAYMENT_TIMEOUT_MS / 1000} s`,
        ),
      );
    }
  }
}

/** One client's Pay Now, start to receipt. Throws with what went wrong. */
async function payOnce(
  deps: PaymentDeps,
  provider: LocalPaymentProvider,
  apiUrl: string,
  settlements: Settlements,
  client: PayingClient,
  runId: string,
): Promise<PaymentResult> {
  const holder = {
    organizationId: client.organizationId,
    clientId: client.clientId,
    portalAccountId: client.portalAccountId,
  };
  const linkStarted = performance.now();
  const started = await startPayment(
    deps,
    holder,
    {
      kind: 'BALANCE',
      amountCents: INVOICE_BALANCE_CENTS,
      saveCard: false,
      paymentCardId: null,
      submissionKey: randomBytes(24).toString('base64url'),
    },
    { ip: '127.0.0.1', userAgent: 'bench:payments', requestId: `bench-${runId}-${client.index}` },
  );
  const checkoutLinkMs = performance.now() - linkStarted;
  const { paymentRequestId, link } = started;
  if (started.alreadyOpen) throw new Error(`${paymentRequestId}: another payment was already open`);
  if (link.next !== 'redirect') {
    throw new Error(`${paymentRequestId}: no checkout link (outcome ${link.outcome ?? 'none'}, ${link.reason ?? '-'})`);
  }

  // The browser follows the link: the local checkout page, served by our API.
  const checkoutId = new URL(link.url).pathname.split('/').pop() ?? '';
  const checkoutPath = `/dev/checkout/${checkoutId}`;
  const pageStarted = performance.now();
  const page = await fetch(`${apiUrl}${checkoutPath}`);
  const body = await page.text();
  const checkoutPageMs = performance.now() - pageStarted;
  if (page.status !== 200 || !body.includes(`/dev/checkout/${checkoutId}/complete`)) {
    throw new Error(`${paymentRequestId}: checkout page HTTP ${page.status}`);
  }

  const confirmedAt = Date.now();
  const event = provider.completeCheckout(checkoutId);
  if (!event) throw new Error(`${paymentRequestId}: the local checkout ${checkoutId} was not open`);
  const deliverStarted = performance.now();
  const received = await receivePaymentEvent(deps, 'local', event);
  const deliverMs = performance.now() - deliverStarted;
  if (!received.accepted || received.paymentRequestId !== paymentRequestId) {
    throw new Error(`${paymentRequestId}: confirmation not accepted (${JSON.stringify(received)})`);
  }
  const { paidAt, receiptSentAt } = await settlements.wait(paymentRequestId).catch((error: unknown) => {
    throw new Error(`${paymentRequestId}: ${message(error)}`);
  });
  return {
    paymentRequestId,
    checkoutLinkMs,
    checkoutPageMs,
    deliverMs,
    confirmedAt,
    paidAt,
    receiptSentAt,
    event,
  };
}

/**
 * Activity attempts as the worker logs them (temporal/activity-observability.ts):
 * a pino logger whose lines are kept here instead of printed.
 */
function activityRecorder() {
  const durations = new Map<string, number[]>();
  let failed = 0;
  const logger = pino(
    { level: 'info', base: null },
    {
      write(line: string) {
        let entry: { msg?: string; activityType?: string; durationMs?: number; outcome?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          return;
        }
        if (entry.msg !== 'activity' || !entry.activityType || entry.durationMs === undefined) return;
        if (entry.outcome !== 'completed') failed += 1;
        const list = durations.get(entry.activityType) ?? [];
        list.push(entry.durationMs);
        durations.set(entry.activityType, list);
      },
    },
  );
  return {
    logger,
    failedAttempts: () => failed,
    summary: () =>
      Object.fromEntries(
        [...durations]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([type, list]) => [type, { count: list.length, ...summarize(list, 1) }]),
      ),
  };
}

function tsMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number | null {
  if (!ts) return null;
  const raw = ts.seconds as number | { toNumber(): number } | null | undefined;
  const seconds = typeof raw === 'number' ? raw : (raw?.toNumber() ?? 0);
  return seconds * 1000 + (ts.nanos ?? 0) / 1e6;
}

/**
 * Where a payment workflow's time goes, from a sample of histories: waits in
 * Temporal's task queues (scheduled → started) and the work itself (started →
 * completed), for workflow tasks and each activity.
 */
async function historyBreakdown(temporal: Client, paymentRequestIds: readonly string[]) {
  const { EventType } = proto.api.enums.v1;
  const spans = new Map<string, number[]>();
  const add = (name: string, ms: number | null) => {
    if (ms === null) return;
    const list = spans.get(name) ?? [];
    list.push(ms);
    spans.set(name, list);
  };
  for (const id of paymentRequestIds) {
    const history = await temporal.workflow.getHandle(paymentWorkflowId(id)).fetchHistory();
    const byId = new Map<number, { type: number; time: number | null; activity?: string }>();
    for (const event of history.events ?? []) {
      const eventId = Number(event.eventId);
      const time = tsMs(event.eventTime);
      const type = event.eventType ?? 0;
      const activity = event.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined;
      byId.set(eventId, { type, time, ...(activity ? { activity } : {}) });
      const since = (scheduledId: unknown) => {
        const from = byId.get(Number(scheduledId));
        return from && from.time !== null && time !== null ? { from, ms: time - from.time } : null;
      };
      if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) {
        add('workflowTask.queued', since(event.workflowTaskStartedEventAttributes?.scheduledEventId)?.ms ?? null);
      } else if (type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        add('workflowTask.run', since(event.workflowTaskCompletedEventAttributes?.startedEventId)?.ms ?? null);
      } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        const span = since(event.activityTaskStartedEventAttributes?.scheduledEventId);
        if (span) add(`${span.from.activity ?? 'activity'}.queued`, span.ms);
      } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const attributes = event.activityTaskCompletedEventAttributes;
        const scheduled = byId.get(Number(attributes?.scheduledEventId));
        const span = since(attributes?.startedEventId);
        if (scheduled && span) add(`${scheduled.activity ?? 'activity'}.run`, span.ms);
      }
    }
  }
  return Object.fromEntries(
    [...spans].map(([name, list]) => {
      const total = list.reduce((sum, ms) => sum + ms, 0);
      return [name, { count: list.length, mean: Number((total / list.length).toFixed(1)), ...summarize(list, 1) }];
    }),
  );
}

/** CPU time (ms) of the processes this one started, i.e. the Temporal dev server; null where /proc is not there. */
async function childCpuMs(): Promise<number | null> {
  try {
    const tick = 1000 / 100; // USER_HZ is 100 on Linux.
    const children = new Set<string>();
    for (const task of await readdir('/proc/self/task')) {
      const listed = await readFile(`/proc/self/task/${task}/children`, 'utf8').catch(() => '');
      for (const pid of listed.split(/\s+/).filter(Boolean)) children.add(pid);
    }
    let total = 0;
    for (const pid of children) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which is in parentheses and may hold spaces): utime is 14th, stime 15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * tick;
    }
    return total;
  } catch {
    return null;
  }
}

/** Busy and total CPU time of the whole machine (all cores), from /proc/stat; null where it is not there. */
async function machineCpu(): Promise<{ busy: number; total: number } | null> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((sum, value) => sum + value, 0);
    // idle and iowait
    return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
  } catch {
    return null;
  }
}

/**
 * A payment's workflow goes on after the receipt (staff emails), and stopping
 * the server mid-write logs "context canceled" errors, so let the last ones
 * finish first. The server is ours alone. Bounded: this is tidiness.
 */
async function drainWorkflows(temporal: Client): Promise<boolean> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (Date.now() < deadline && !interrupted) {
    const { count } = await temporal.workflow.count('ExecutionStatus = "Running"');
    if (count === 0) return true;
    await sleep(100);
  }
  if (!interrupted) say(`  workflows still running after ${DRAIN_TIMEOUT_MS / 1000} s; stopping anyway`);
  return false;
}

async function main(): Promise<number> {
  // First, so the SDK's own start-up logs are filtered too; we stop things in our own order.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const options = readOptions();
  const stack: Stage[] = [];
  let stopping: Promise<boolean> | undefined;
  const cleanup = () => (stopping ??= stopAll(stack));
  // The payments in flight when Ctrl-C comes: let them settle (no new ones start) before the
  // Temporal client closes under them, else a retried call throws from a timer mid-cleanup.
  let inFlight: Promise<unknown> = Promise.resolve();
  // `on`, not `once`: Ctrl-C reaches us both from the terminal and relayed by tsx.
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping ...`);
    // After Ctrl-C a stray failure is its echo; the database must still be dropped.
    process.on('uncaughtException', (error) => say(`  while stopping: ${message(error)}`));
    void Promise.race([inFlight.catch(() => undefined), sleep(IN_FLIGHT_GRACE_MS)])
      .then(cleanup)
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say('Starting database ...');
    const database = await provisionDatabase(stack, 'bench_payments');
    await migrate(database.url);

    say('Starting Temporal dev server (in memory) ...');
    const temporalServer = await startTemporalDevServer();
    stack.push({ name: 'Temporal dev server', stop: () => temporalServer.stop() });

    const outboxDir = await mkdtemp(path.join(os.tmpdir(), 'bench-payments-outbox-'));
    stack.push({ name: 'email outbox', stop: () => rm(outboxDir, { recursive: true, force: true }) });

    const config = loadConfig({
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: String(database.poolMax),
      TEMPORAL_ADDRESS: temporalServer.address,
      PAYLOAD_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
      // Only names the checkout page in links; the bench follows them to the API's real port.
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      PAYMENTS_PROVIDER: 'local',
      EMAIL_TRANSPORT: 'outbox',
      OUTBOX_DIR: outboxDir,
    });
    // The one instance the API and the worker share, as in npm start (app/from-config.ts).
    const provider = paymentProviderFromConfig(config);
    if (provider?.kind !== 'local') throw new Error('expected the local payment provider');
    const localProvider = provider as LocalPaymentProvider;
    // Silent: pino writes to stdout, where the result goes.
    const logger = createLogger({ level: 'silent', name: 'bench' });

    const db = createDb(config.database.url, { poolMax: database.poolMax });
    stack.push({ name: 'database pool', stop: () => db.$disconnect() });
    await seedDemo(db, { secretBox: secretBoxFromConfig(config), webhookSecret: newWebhookSecret() });
    // The demo practice has payments on already; said again so the bench does not depend on it.
    await db.organization.update({ where: { id: DEMO.organizationId }, data: { paymentsEnabled: true } });

    const runId = randomBytes(4).toString('hex');
    say(`Seeding ${options.n} clients with an open invoice each (${database.kind}) ...`);
    const seedStarted = performance.now();
    const clients = await seedClients(db, options.n, options.concurrency, runId);
    const seedMs = Math.round(performance.now() - seedStarted);

    say('Starting worker and API ...');
    const activities = activityRecorder();
    const { worker, connection: workerConnection } = await createWorkerFromConfig(config, db, {
      logger: activities.logger,
    });
    stack.push({ name: 'worker connection', stop: () => workerConnection.close() });
    // Caught here so a worker that dies mid-run fails the waits instead of crashing the process uncleaned.
    let workerError: unknown;
    const workerRun = worker.run().catch((error: unknown) => {
      workerError = error ?? new Error('worker failed');
    });
    stack.push({
      name: 'worker',
      stop: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await workerRun;
      },
    });

    const temporal = await connectClient(config);
    stack.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
    const api = await startApiFromConfig(config, { db, temporal, logger });
    stack.push({ name: 'API', stop: () => api.close() });
    const ready = await fetch(`${api.url}/readyz`);
    await ready.text();
    if (ready.status !== 200) throw new Error(`API not ready: HTTP ${ready.status}`);

    const deps: PaymentDeps = { db, temporal, taskQueue: config.temporal.taskQueue, payments: provider };
    const settlements = new Settlements(db, () => workerError);
    stack.push({ name: 'payment poll', stop: () => settlements.stop() });

    // One payment outside the figures, by a client of its own (the N still pay once each): it warms
    // the workflow code, the worker's sticky cache, Prisma's queries and the JIT.
    const warmRunId = `warm${runId}`;
    const [warmClient] = await seedClients(db, 1, 1, warmRunId);
    await payOnce(deps, localProvider, api.url, settlements, warmClient!, warmRunId);

    say(`Paying ${options.n} invoices, ${options.concurrency} clients at a time ...`);
    const failures: string[] = [];
    const results: PaymentResult[] = [];
    const runDeadline = Date.now() + RUN_TIMEOUT_MS;
    const cpuBefore = process.cpuUsage();
    const childCpuBefore = await childCpuMs();
    const machineBefore = await machineCpu();
    // API, worker and bench share this one event loop (and PGlite runs on it): how busy it is says whether it limits.
    const eluBefore = performance.eventLoopUtilization();
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const firstStartAt = Date.now();
    const wallStarted = performance.now();
    let lastReport = Date.now();
    inFlight = inParallel(options.n, options.concurrency, async (i) => {
      if (Date.now() > runDeadline) {
        failures.push(`client ${i}: not started, the run passed ${RUN_TIMEOUT_MS / 60_000} minutes`);
        return;
      }
      try {
        results.push(await payOnce(deps, localProvider, api.url, settlements, clients[i]!, runId));
      } catch (error) {
        failures.push(`client ${i}: ${message(error)}`);
      }
      if (Date.now() - lastReport >= 2000) {
        say(`  ${results.length}/${options.n} paid and receipted, ${failures.length} failed ...`);
        lastReport = Date.now();
      }
    });
    await inFlight;
    if (interrupted) throw new Error('Interrupted');
    const elapsedMs = performance.now() - wallStarted;
    const cpu = process.cpuUsage(cpuBefore);
    const childCpuAfter = await childCpuMs();
    const machineAfter = await machineCpu();
    const elu = performance.eventLoopUtilization(eluBefore);
    loopDelay.disable();
    // The last receipt's own stamp ends the run, not the poll that noticed it.
    const lastReceiptAt = results.reduce((latest, result) => Math.max(latest, result.receiptSentAt), firstStartAt);
    const wallMs = lastReceiptAt - firstStartAt;
    say(`  ${results.length} paid, ${failures.length} failed, in ${wallMs} ms`);
    for (const failure of failures.slice(0, MAX_REPORTED_FAILURES)) say(`  failed: ${failure}`);

    say(`Delivering each of the ${results.length} confirmations once more, ${options.concurrency} at a time ...`);
    let duplicatesIgnored = 0;
    let duplicatesAccepted = 0;
    const duplicateMs: number[] = [];
    const burstStarted = performance.now();
    inFlight = inParallel(results.length, options.concurrency, async (i) => {
      const result = results[i]!;
      const started = performance.now();
      try {
        const again = await receivePaymentEvent(deps, 'local', result.event);
        duplicateMs.push(performance.now() - started);
        if (again.accepted) {
          duplicatesAccepted += 1;
          failures.push(`${result.paymentRequestId}: its redelivered confirmation was taken as new`);
        } else {
          duplicatesIgnored += 1;
        }
      } catch (error) {
        failures.push(`${result.paymentRequestId}: redelivery failed: ${message(error)}`);
      }
    });
    await inFlight;
    const burstMs = performance.now() - burstStarted;
    say(`  ${duplicatesIgnored} ignored, ${duplicatesAccepted} taken as new, in ${Math.round(burstMs)} ms`);

    say('Waiting for the workflows to finish (staff emails) ...');
    const drained = await drainWorkflows(temporal);

    const ids = results.map((result) => result.paymentRequestId);
    const idSet = new Set(ids);
    const paidInvoices = clients.map((client) => `INV-BENCH-${runId}-${client.index}`);
    const [payments, distinctRequests, receipts, staffEmails, invoicesPaid, events, succeeded] = await Promise.all([
      db.payment.count({ where: { client: { externalChartId: { startsWith: `CHART-BENCH-${runId}-` } } } }),
      db.payment.groupBy({ by: ['paymentRequestId'], where: { paymentRequestId: { in: ids } } }),
      db.emailMessage.count({
        where: { idempotencyKey: { in: ids.map((id) => `payment-receipt:${id}`) }, status: 'SENT' },
      }),
      db.emailMessage
        .findMany({ where: { template: 'payment-received-staff', status: 'SENT' }, select: { idempotencyKey: true } })
        .then((rows) => rows.filter((row) => idSet.has(row.idempotencyKey.split(':')[1] ?? '')).length),
      db.invoice.count({ where: { externalInvoiceId: { in: paidInvoices }, status: 'PAID', balanceCents: 0 } }),
      db.paymentProviderEvent.count({ where: { paymentRequestId: { in: ids } } }),
      db.paymentRequest.count({ where: { id: { in: ids }, status: 'SUCCEEDED' } }),
    ]);
    const checks = {
      payments,
      paymentsPerRequestMax1: distinctRequests.length === payments,
      receiptsSent: receipts,
      staffEmailsSent: staffEmails,
      invoicesPaid,
      providerEventsLogged: events,
      requestsSucceeded: succeeded,
    };
    if (payments !== options.n) failures.push(`${payments} payments in the database, expected ${options.n}`);
    if (!checks.paymentsPerRequestMax1) failures.push('a payment request has more than one payment');
    if (receipts !== results.length) failures.push(`${receipts} receipts sent for ${results.length} payments`);
    if (invoicesPaid !== options.n) failures.push(`${invoicesPaid} of ${options.n} invoices paid`);
    if (events !== results.length) failures.push(`${events} provider events logged for ${results.length} payments`);

    const sample = ids.filter((_, i) => i % Math.max(1, Math.floor(ids.length / HISTORY_SAMPLE)) === 0);
    const temporalBreakdown = await historyBreakdown(temporal, sample.slice(0, HISTORY_SAMPLE)).catch(
      (error: unknown) => {
        say(`  could not read workflow histories: ${message(error)}`);
        return null;
      },
    );

    const cores = os.availableParallelism();
    const machineBusy =
      machineBefore && machineAfter && machineAfter.total > machineBefore.total
        ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)
        : null;
    const benchCpu = ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100;
    const temporalCpu =
      childCpuBefore !== null && childCpuAfter !== null ? ((childCpuAfter - childCpuBefore) / elapsedMs) * 100 : null;
    const output = recordResult({
      bench: 'payments',
      n: options.n,
      concurrency: options.concurrency,
      database: database.kind,
      throughputPerSec: wallMs > 0 ? Number(((results.length * 1000) / wallMs).toFixed(1)) : null,
      wallMs,
      confirmToCheckoutLinkMs: summarize(results.map((result) => result.checkoutLinkMs)),
      checkoutPageMs: summarize(
        results.map((result) => result.checkoutPageMs),
        1,
      ),
      confirmationDeliveryMs: summarize(
        results.map((result) => result.deliverMs),
        1,
      ),
      confirmationToPaymentRecordedMs: summarize(results.map((result) => result.paidAt - result.confirmedAt)),
      confirmationToReceiptSentMs: summarize(results.map((result) => result.receiptSentAt - result.confirmedAt)),
      payments,
      duplicates_ignored: duplicatesIgnored,
      duplicatesAccepted,
      duplicateDeliveryMs: summarize(duplicateMs, 1),
      duplicateBurstPerSec: burstMs > 0 ? Number(((duplicateMs.length * 1000) / burstMs).toFixed(0)) : null,
      errors: failures.length,
      checks,
      activityMs: activities.summary(),
      activityAttemptsFailed: activities.failedAttempts(),
      temporalMs: temporalBreakdown,
      // While paying; 100 is one core busy the whole time.
      cpuPercentOfOneCore: {
        // API, worker, the bench itself and, on PGlite, the database: all this one process.
        benchProcess: Number(benchCpu.toFixed(0)),
        temporalServer: temporalCpu === null ? null : Number(temporalCpu.toFixed(0)),
        // The PostgreSQL server, and whatever else runs here (another engineer's tests skew the figures).
        restOfMachine:
          machineBusy === null || temporalCpu === null
            ? null
            : Math.max(0, Number((machineBusy * cores * 100 - benchCpu - temporalCpu).toFixed(0))),
      },
      eventLoop: {
        utilization: Number(elu.utilization.toFixed(2)),
        delayMs: {
          p50: Number((loopDelay.percentile(50) / 1e6).toFixed(1)),
          p99: Number((loopDelay.percentile(99) / 1e6).toFixed(1)),
          max: Number((loopDelay.max / 1e6).toFixed(1)),
        },
      },
      machineCpuBusyPercent: machineBusy === null ? null : Number((machineBusy * 100).toFixed(0)),
      seedMs,
      drained,
      machine: {
        cores,
        cpu: os.cpus()[0]?.model ?? null,
        memoryGb: Number((os.totalmem() / 2 ** 30).toFixed(1)),
        note:
          `${cores} cores shared by the Temporal dev server, ` +
          (database.kind === 'pglite'
            ? 'and one Node process running the API, the worker, the bench and PGlite (WebAssembly, on its event loop)'
            : 'PostgreSQL, and one Node process running the API, the worker and the bench'),
      },
      node: process.version,
    });

    say('Stopping ...');
    const clean = await cleanup();
    process.stdout.write(`${JSON.stringify(output)}\n`);
    return failures.length === 0 && clean ? 0 : 1;
  } catch (error) {
    // After Ctrl-C the failures that follow are its echo, not news.
    if (!interrupted) {
      say(error instanceof Error ? (error.stack ?? error.message) : String(error));
      say('Stopping ...');
    }
    await cleanup();
    return 1;
  }
}

main().then(
  (code) => process.exit(interrupted ? 130 : code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      say(
        `${error.message}\nUsage: npm run bench:payments -- [--n ${DEFAULT_N}] [--concurrency ${DEFAULT_CONCURRENCY}]`,
      );
      process.exit(2);
    }
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
