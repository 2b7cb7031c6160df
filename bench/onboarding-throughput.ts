/**
 * `npm run bench`: how many onboardings per second the whole stack carries,
 * and how long one takes from the EHR's webhook to a created chart.
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

const DEFAULT_N = 200;
const DEFAULT_CONCURRENCY = 16;
const POLL_INTERVAL_MS = 50;
const WAIT_TIMEOUT_MS = 5 * 60_000;
const DRAIN_TIMEOUT_MS = 30_000;
/** Enough failed responses to diagnose, without burying the output. */
const MAX_REPORTED_FAILURES = 5;

interface BenchOptions {
  n: number;
  concurrency: number;
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
      portal: { invite: false },
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
  options: BenchOptions,
  failures: string[],
): Promise<WebhookResult[]> {
  const results: WebhookResult[] = [];
  let next = 0;
  const sender = async () => {
    while (next < options.n && !interrupted) {
      const i = next++;
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
 * Waits until every accepted onboarding has its chart. chartCreatedAt is set
 * in the same transaction that moves the status to CHART_CREATED, and stays
 * set when later steps move the status on, so counting it does not break
 * when the workflow grows.
 */
async function waitForCharts(db: Db, prefix: string, expected: number, workerFailed: () => unknown): Promise<void> {
  const where = { organizationId: DEMO.organizationId, externalChartId: { startsWith: prefix } };
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  let lastReport = 0;
  for (;;) {
    if (interrupted) throw new Error('Interrupted while waiting for charts');
    const workerError = workerFailed();
    if (workerError) throw new Error('Temporal worker stopped while onboardings were running', { cause: workerError });
    const [done, failed] = await Promise.all([
      db.onboarding.count({ where: { ...where, chartCreatedAt: { not: null } } }),
      db.onboarding.count({ where: { ...where, status: 'FAILED' } }),
    ]);
    if (failed > 0) throw new Error(`${failed} onboarding(s) ended FAILED; see the workflow history in Temporal`);
    if (done >= expected) return;
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${WAIT_TIMEOUT_MS / 1000} s: only ${done} of ${expected} onboardings reached CHART_CREATED`,
      );
    }
    if (Date.now() - lastReport >= 1000) {
      say(`  ${done}/${expected} charts created ...`);
      lastReport = Date.now();
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * A chart exists a moment before its workflow completes. Stopping then would
 * cut the server off mid-write (it logs "context canceled" errors), so let
 * the last workflows finish first. The server is ours alone, so every
 * running workflow is one of ours. Bounded: this is tidiness, not a result.
 */
async function drainWorkflows(temporal: Client): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { count } = await temporal.workflow.count('ExecutionStatus = "Running"');
    if (count === 0) return;
    await sleep(POLL_INTERVAL_MS);
  }
  say(`  workflows still running after ${DRAIN_TIMEOUT_MS / 1000} s; stopping anyway`);
}

async function main(): Promise<number> {
  // First, so the SDK's own start-up logs are filtered too; we stop things in our own order.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const options = readOptions();
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

    const config = loadConfig({
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: String(database.poolMax),
      TEMPORAL_ADDRESS: temporalServer.address,
      PAYLOAD_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
      PORT: '0',
    });
    // Silent: pino writes to stdout, where the result goes. Failed responses are reported below.
    const logger = createLogger({ level: 'silent', name: 'bench' });

    const db = createDb(config.database.url, { poolMax: database.poolMax });
    stack.push({ name: 'database pool', stop: () => db.$disconnect() });
    const webhookSecret = newWebhookSecret();
    await seedDemo(db, { secretBox: secretBoxFromConfig(config), webhookSecret });

    say('Starting worker and API ...');
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

    const temporal = await connectClient(config);
    stack.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
    const api = await startApiFromConfig(config, { db, temporal, logger });
    stack.push({ name: 'API', stop: () => api.close() });

    const runId = randomBytes(4).toString('hex');
    const prefix = `BENCH-${runId}-`;
    say(`Sending ${options.n} webhooks, ${options.concurrency} at a time (${database.kind}, run ${runId}) ...`);
    const failures: string[] = [];
    const firstSendAt = Date.now();
    const results = await sendWebhooks(
      `${api.url}/v1/webhooks/ehr/${DEMO.integrationId}`,
      webhookSecret,
      runId,
      options,
      failures,
    );
    const accepted = results.filter((result) => result.accepted);
    say(`  ${accepted.length} accepted, ${failures.length} failed, in ${Date.now() - firstSendAt} ms`);
    for (const failure of failures.slice(0, MAX_REPORTED_FAILURES)) say(`  failed: ${failure}`);

    await waitForCharts(db, prefix, accepted.length, () => workerError);

    const rows = await db.onboarding.findMany({
      where: { organizationId: DEMO.organizationId, externalChartId: { startsWith: prefix } },
      select: { externalChartId: true, chartCreatedAt: true },
    });
    const chartCreatedAt = new Map(rows.map((row) => [row.externalChartId, row.chartCreatedAt?.getTime()]));
    const latencies: number[] = [];
    // The last chart's own timestamp ends the run, not the poll that noticed it (up to 50 ms later).
    let lastCreatedAt = firstSendAt;
    for (const result of accepted) {
      const createdAt = chartCreatedAt.get(result.externalChartId);
      if (createdAt === undefined) continue;
      latencies.push(createdAt - result.sentAt);
      lastCreatedAt = Math.max(lastCreatedAt, createdAt);
    }
    const wallMs = lastCreatedAt - firstSendAt;
    // Accepted requests only: a fast 404 or a slow connection reset says nothing about the 202 path.
    const webhook = summarize(
      accepted.map((result) => result.durationMs),
      1,
    );
    const chart = summarize(latencies, 0);

    const output = {
      bench: 'onboarding-throughput',
      n: options.n,
      concurrency: options.concurrency,
      database: database.kind,
      throughputPerSec: wallMs > 0 ? Number(((latencies.length * 1000) / wallMs).toFixed(1)) : null,
      wallMs,
      webhookMs: { p50: webhook.p50, p95: webhook.p95, p99: webhook.p99 },
      webhookToChartCreatedMs: chart,
      errors: failures.length,
      node: process.version,
    };

    say('Stopping ...');
    await drainWorkflows(temporal);
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
