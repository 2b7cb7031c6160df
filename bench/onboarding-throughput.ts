/**
 * `npm run bench`: how many onboardings per second the whole stack carries,
 * and how long one takes from the EHR's webhook to the portal invitation
 * handed to the mailer, beside Temporal's own floor measured in the same run
 * (a no-op workflow of the same shape, bench/floor-workflow.ts), with the
 * round trips (SQL statements, Temporal calls) one webhook and one
 * onboarding cost.
 *
 * Everything is real and local: the Express API on a random port, a Temporal
 * dev server in memory, the worker with its activities, and PGlite in memory,
 * or a real PostgreSQL when BENCH_DATABASE_URL is set (a throw-away database
 * is created on it and dropped afterwards). Random ports throughout, so a
 * running `npm start` or test suite is never in the way.
 *
 *   npm run bench -- --n 200 --concurrency 16
 *   BENCH_DATABASE_URL=postgresql://postgres:postgres@localhost:5432/postgres npm run bench -- --n 500
 *
 * Progress goes to stderr. The result is the last line of stdout, one JSON
 * object (the Temporal CLI prints its start-up banner to stdout before it):
 * `npm run -s bench | tail -n 1 >> bench-results.jsonl`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createWorkerFromConfig, secretBoxFromConfig, startApiFromConfig } from '../app/from-config';
import { loadConfig } from '../config/env';
import { createDb, type Db } from '../db/client';
import { migrate } from '../db/migrate';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { createLogger } from '../observability/logger';
import { DEMO, seedDemo } from '../prisma/seed';
import { newWebhookSecret, signWebhook } from '../security/standard-webhooks';
import { connectClient } from '../temporal/connection';
import { provisionDatabase, say, stopAll, summarize, UsageError, type Stage } from './bench-stack';
import { runFloor } from './floor';
import { recordResult } from './results-log';
import { countingInterceptors, countSqlStatements, roundTrips, since, type RoundTrips } from './round-trips';

const DEFAULT_N = 200;
const DEFAULT_CONCURRENCY = 16;
const POLL_INTERVAL_MS = 50;
const WAIT_TIMEOUT_MS = 5 * 60_000;
/** Webhooks sent one at a time before the worker starts, so their statements are the webhook path's alone. */
const PROBE_WEBHOOKS = 5;
/** Enough failed responses to diagnose, without burying the output. */
const MAX_REPORTED_FAILURES = 5;

interface BenchOptions {
  n: number;
  concurrency: number;
}

interface SendOptions extends BenchOptions {
  /** Chart numbers start here, so the probe's and the run's never meet. */
  firstIndex: number;
}

interface WebhookResult {
  externalChartId: string;
  /** Wall clock (Date.now) just before the POST: the activity stamps chartCreatedAt with the same clock. */
  sentAt: number;
  /** Monotonic round trip, response body included. */
  durationMs: number;
  accepted: boolean;
}

/** Set by Ctrl-C: stops sending and waiting, and makes the exit code say "interrupted" whichever path exits first. */
let interrupted = false;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${name} must be a positive integer, got "${raw}"`);
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
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  return {
    n: positiveInt('--n (BENCH_N)', values.n ?? process.env.BENCH_N, DEFAULT_N),
    concurrency: positiveInt(
      '--concurrency (BENCH_CONCURRENCY)',
      values.concurrency ?? process.env.BENCH_CONCURRENCY,
      DEFAULT_CONCURRENCY,
    ),
  };
}

function webhookBody(runId: string, i: number): string {
  return JSON.stringify({
    type: 'chart.created',
    data: {
      externalChartId: `BENCH-${runId}-${i}`,
      client: {
        firstName: 'Bench',
        lastName: `Client${i}`,
        dateOfBirth: '1990-01-01',
        email: `bench-${runId}-${i}@example.test`,
      },
      portal: { invite: true },
    },
  });
}

/** Sends all webhooks with at most `concurrency` in flight, as an EHR retrying a backlog would. */
/** The Standard Webhooks headers an EHR sends; signing is part of the cost being measured. */
function signedHeaders(secret: string, id: string, body: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(secret, id, timestamp, body),
  };
}

async function sendWebhooks(
  webhookUrl: string,
  webhookSecret: string,
  runId: string,
  options: SendOptions,
  failures: string[],
): Promise<WebhookResult[]> {
  const results: WebhookResult[] = [];
  let next = 0;
  const sender = async () => {
    while (next < options.n && !interrupted) {
      const i = options.firstIndex + next++;
      const body = webhookBody(runId, i);
      const externalChartId = `BENCH-${runId}-${i}`;
      const sentAt = Date.now();
      const started = performance.now();
      let accepted = false;
      try {
        const response = await fetch(webhookUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...signedHeaders(webhookSecret, `bench-${runId}-${i}`, body) },
          body,
        });
        // Read the body so the keep-alive connection is free for the next request.
        const text = await response.text();
        accepted = response.status === 202;
        // Error bodies carry a code and request id, never the client's details.
        if (!accepted) failures.push(`${externalChartId}: HTTP ${response.status} ${text.slice(0, 300)}`);
      } catch (error) {
        failures.push(`${externalChartId}: ${error instanceof Error ? error.message : String(error)}`);
      }
      results.push({ externalChartId, sentAt, durationMs: performance.now() - started, accepted });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.n) }, sender));
  return results;
}

/**
 * Waits until every accepted onboarding's invitation was handed to the
 * mailer: its email_message is SENT (the outbox wrote it; with Resend, the
 * provider accepted it). Returns how many statements its own polls sent,
 * which the stack's count must not include (they share the driver).
 */
async function waitForInvitations(
  db: Db,
  prefix: string,
  expected: number,
  workerFailed: () => unknown,
): Promise<number> {
  let ownStatements = 0;
  const where = { organizationId: DEMO.organizationId, externalChartId: { startsWith: prefix } };
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  let lastReport = 0;
  for (;;) {
    if (interrupted) throw new Error('Interrupted while waiting for invitations');
    const workerError = workerFailed();
    if (workerError) throw new Error('Temporal worker stopped while onboardings were running', { cause: workerError });
    const [done, failed] = await Promise.all([
      db.emailMessage.count({ where: { template: 'portal-invitation', status: 'SENT', onboarding: where } }),
      db.onboarding.count({ where: { ...where, status: 'FAILED' } }),
    ]);
    ownStatements += 2;
    if (failed > 0) throw new Error(`${failed} onboarding(s) ended FAILED; see the workflow history in Temporal`);
    if (done >= expected) return ownStatements;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${WAIT_TIMEOUT_MS / 1000} s: only ${done} of ${expected} invitations were sent`);
    }
    if (Date.now() - lastReport >= 1000) {
      say(`  ${done}/${expected} invitations handed to the mailer ...`);
      lastReport = Date.now();
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Temporal's history length of a few of our onboardings: the workflow's own calls to the server, roughly. */
async function historyEvents(temporal: Client, onboardingIds: string[]): Promise<number | null> {
  const lengths = await Promise.all(
    onboardingIds.map(async (id) => (await temporal.workflow.getHandle(`onboarding-${id}`).describe()).historyLength),
  );
  return lengths.length ? Math.round(lengths.reduce((a, b) => a + b, 0) / lengths.length) : null;
}

function perItem(trips: RoundTrips, n: number) {
  return {
    sql: Number((trips.sql / n).toFixed(1)),
    temporal: Number((trips.temporal / n).toFixed(1)),
    temporalByMethod: Object.fromEntries(
      Object.entries(trips.temporalByMethod).map(([method, count]) => [method, Number((count / n).toFixed(1))]),
    ),
  };
}

async function main(): Promise<number> {
  // First, so the SDK's own start-up logs are filtered too; we stop things in our own order.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const options = readOptions();
  countSqlStatements();
  const stack: Stage[] = [];
  let stopping: Promise<boolean> | undefined;
  const cleanup = () => (stopping ??= stopAll(stack));
  // An interrupted run against real PostgreSQL must still drop its database.
  // `on`, not `once`: Ctrl-C reaches us both from the terminal and relayed by
  // tsx, and with no listener left the second copy would exit before cleanup.
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping ...`);
    void cleanup().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    say('Starting database ...');
    const database = await provisionDatabase(stack, 'bench');
    await migrate(database.url);

    say('Starting Temporal dev server (in memory) ...');
    const temporalServer = await startTemporalDevServer();
    stack.push({ name: 'Temporal dev server', stop: () => temporalServer.stop() });

    say(`Floor: ${options.n} no-op workflows of the onboarding's shape, ${options.concurrency} at a time ...`);
    const floor = await runFloor(temporalServer.address, options.n, options.concurrency);

    const outboxDir = await mkdtemp(path.join(os.tmpdir(), 'bench-outbox-'));
    stack.push({ name: 'outbox', stop: () => rm(outboxDir, { recursive: true, force: true }) });
    const config = loadConfig({
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: String(database.poolMax),
      TEMPORAL_ADDRESS: temporalServer.address,
      PAYLOAD_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
      OUTBOX_DIR: outboxDir,
      PORT: '0',
    });
    // Silent: pino writes to stdout, where the result goes. Failed responses are reported below.
    const logger = createLogger({ level: 'silent', name: 'bench' });

    const db = createDb(config.database.url, { poolMax: database.poolMax });
    stack.push({ name: 'database pool', stop: () => db.$disconnect() });
    const webhookSecret = newWebhookSecret();
    await seedDemo(db, { secretBox: secretBoxFromConfig(config), webhookSecret });

    say('Starting API ...');
    const temporal = await connectClient(config, { interceptors: countingInterceptors() });
    stack.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
    const api = await startApiFromConfig(config, { db, temporal, logger });
    stack.push({ name: 'API', stop: () => api.close() });
    const webhookUrl = `${api.url}/v1/webhooks/ehr/${DEMO.integrationId}`;
    const runId = randomBytes(4).toString('hex');
    const prefix = `BENCH-${runId}-`;
    const failures: string[] = [];

    // The webhook path's round trips, alone: no worker is polling yet.
    const beforeProbe = roundTrips();
    await sendWebhooks(
      webhookUrl,
      webhookSecret,
      runId,
      { n: PROBE_WEBHOOKS, concurrency: 1, firstIndex: 0 },
      failures,
    );
    const webhookTrips = perItem(since(beforeProbe), PROBE_WEBHOOKS);

    say('Starting worker ...');
    const { worker, connection: workerConnection } = await createWorkerFromConfig(config, db);
    stack.push({ name: 'worker connection', stop: () => workerConnection.close() });
    // Caught here so a worker that dies mid-run fails the wait instead of crashing the process uncleaned.
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

    say(`Sending ${options.n} webhooks, ${options.concurrency} at a time (${database.kind}, run ${runId}) ...`);
    const beforeRun = roundTrips();
    const firstSendAt = Date.now();
    const results = await sendWebhooks(
      webhookUrl,
      webhookSecret,
      runId,
      { ...options, firstIndex: PROBE_WEBHOOKS },
      failures,
    );
    const accepted = results.filter((result) => result.accepted);
    say(`  ${accepted.length} accepted, ${failures.length} failed, in ${Date.now() - firstSendAt} ms`);
    for (const failure of failures.slice(0, MAX_REPORTED_FAILURES)) say(`  failed: ${failure}`);

    const pollStatements = await waitForInvitations(db, prefix, accepted.length + PROBE_WEBHOOKS, () => workerError);
    // Each workflow's last task (after the invitation) completes a moment later; let those settle before counting.
    await sleep(1000);
    const runTrips = since(beforeRun);
    runTrips.sql -= pollStatements;

    const rows = await db.onboarding.findMany({
      where: { organizationId: DEMO.organizationId, externalChartId: { startsWith: prefix } },
      select: {
        id: true,
        externalChartId: true,
        chartCreatedAt: true,
        emails: { where: { template: 'portal-invitation' }, select: { sentAt: true } },
      },
    });
    const byChart = new Map(rows.map((row) => [row.externalChartId, row]));
    const chartLatencies: number[] = [];
    const invitationLatencies: number[] = [];
    // The last invitation's own timestamp ends the run, not the poll that noticed it (up to 50 ms later).
    let lastSentAt = firstSendAt;
    for (const result of accepted) {
      const row = byChart.get(result.externalChartId);
      const chartAt = row?.chartCreatedAt?.getTime();
      const sentAt = row?.emails[0]?.sentAt?.getTime();
      if (chartAt !== undefined) chartLatencies.push(chartAt - result.sentAt);
      if (sentAt === undefined) continue;
      invitationLatencies.push(sentAt - result.sentAt);
      lastSentAt = Math.max(lastSentAt, sentAt);
    }
    const wallMs = lastSentAt - firstSendAt;
    // Accepted requests only: a fast 404 or a slow connection reset says nothing about the 202 path.
    const webhook = summarize(
      accepted.map((result) => result.durationMs),
      1,
    );
    const invitation = summarize(invitationLatencies, 0);
    const throughputPerSec = wallMs > 0 ? Number(((invitationLatencies.length * 1000) / wallMs).toFixed(1)) : null;
    // Statements of the worker per onboarding: the run's, less the run's webhooks, over every onboarding it carried.
    const onboardingsCarried = accepted.length + PROBE_WEBHOOKS;
    const workerSql = (runTrips.sql - webhookTrips.sql * accepted.length) / onboardingsCarried;
    const overhead = (ours: number | null, base: number | null) =>
      ours === null || base === null ? null : ours - base;

    const output = recordResult({
      bench: 'onboarding-throughput',
      n: options.n,
      concurrency: options.concurrency,
      database: database.kind,
      throughputPerSec,
      floorThroughputPerSec: floor.throughputPerSec,
      ratioToFloor:
        throughputPerSec && floor.throughputPerSec
          ? Number((throughputPerSec / floor.throughputPerSec).toFixed(2))
          : null,
      wallMs,
      webhookMs: { p50: webhook.p50, p95: webhook.p95, p99: webhook.p99 },
      webhookToInvitationMs: invitation,
      floorStartToInvitationMs: floor.startToInvitationMs,
      overheadOverFloorMs: {
        p50: overhead(invitation.p50, floor.startToInvitationMs.p50),
        p99: overhead(invitation.p99, floor.startToInvitationMs.p99),
      },
      webhookToChartCreatedMs: summarize(chartLatencies, 0),
      roundTrips: {
        perWebhook: webhookTrips,
        sqlPerOnboardingToInvitation: Number((webhookTrips.sql + workerSql).toFixed(1)),
        temporalHistoryEventsPerOnboarding: await historyEvents(
          temporal,
          rows.slice(0, 5).map((row) => row.id),
        ),
      },
      errors: failures.length,
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
      say(`${error.message}\nUsage: npm run bench -- [--n ${DEFAULT_N}] [--concurrency ${DEFAULT_CONCURRENCY}]`);
      process.exit(2);
    }
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
