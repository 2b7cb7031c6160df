/**
 * `npm run bench:open-loop`: latency at a steady arrival rate. Webhooks are
 * sent on a fixed schedule (10, 20 and 40 per second for 60 seconds each by
 * default) whatever the responses do, so a slow stack queues work the way a
 * busy EHR would make it queue, instead of slowing the sender down as the
 * closed loop of `npm run bench` does. For each rate it prints the webhook's
 * own response time and webhook → invitation handed to the mailer, p50, p95
 * and p99.
 *
 * As in production: the API and the worker are separate processes of the
 * production entry points (scripts/start-api.ts, scripts/start-worker.ts),
 * on real PostgreSQL (a throw-away database on BENCH_DATABASE_URL's server)
 * and a Temporal dev server.
 *
 *   BENCH_DATABASE_URL=postgresql://postgres:postgres@localhost:5432/postgres npm run -s bench:open-loop
 *   ... npm run -s bench:open-loop -- --rates 5,10 --seconds 20
 *   ... npm run -s bench:open-loop -- --apis 2 --workers 2    (the work spread, nothing done twice)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { secretBoxFromConfig } from '../app/from-config';
import { loadConfig } from '../config/env';
import { createDb, type Db } from '../db/client';
import { migrate } from '../db/migrate';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { DEMO, seedDemo } from '../prisma/seed';
import { newWebhookSecret, signWebhook } from '../security/standard-webhooks';
import { spawnServiceProcess, type WorkerProcess } from '../test/support/worker-process';
import { freePort, provisionDatabase, say, stopAll, summarize, UsageError, type Stage } from './bench-stack';
import { recordResult } from './results-log';

const DEFAULT_RATES = [10, 20, 40];
const DEFAULT_SECONDS = 60;
/** After the last send of a rate, how long its invitations may take before the rate counts as failed. */
const SETTLE_TIMEOUT_MS = 3 * 60_000;

interface Options {
  rates: number[];
  seconds: number;
  /** API and worker processes; with more than one of each, webhooks go round-robin over the APIs. */
  apis: number;
  workers: number;
}

interface Sent {
  externalChartId: string;
  sentAt: number;
  responseMs: number | null;
  status: number | null;
}

function readOptions(): Options {
  let values: { rates?: string; seconds?: string; apis?: string; workers?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        rates: { type: 'string' },
        seconds: { type: 'string' },
        apis: { type: 'string' },
        workers: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const rates = values.rates ? values.rates.split(',').map(Number) : DEFAULT_RATES;
  if (rates.some((rate) => !Number.isFinite(rate) || rate <= 0 || rate > 1000)) {
    throw new UsageError(`--rates must be numbers between 0 and 1000 per second, got "${values.rates}"`);
  }
  const seconds = values.seconds ? Number(values.seconds) : DEFAULT_SECONDS;
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new UsageError(`--seconds must be a positive integer, got "${values.seconds}"`);
  }
  const count = (name: string, raw: string | undefined) => {
    const value = raw === undefined ? 1 : Number(raw);
    if (!Number.isSafeInteger(value) || value < 1 || value > 8) {
      throw new UsageError(`--${name} must be a whole number from 1 to 8, got "${raw}"`);
    }
    return value;
  };
  return { rates, seconds, apis: count('apis', values.apis), workers: count('workers', values.workers) };
}

function chartCreated(externalChartId: string, i: number): string {
  return JSON.stringify({
    type: 'chart.created',
    data: {
      externalChartId,
      client: {
        firstName: 'Bench',
        lastName: `Client${i}`,
        dateOfBirth: '1990-01-01',
        email: `${externalChartId.toLowerCase()}@example.test`,
      },
      portal: { invite: true },
    },
  });
}

/** Sends at `rate` per second for `seconds`, each on its own schedule: a late response delays nothing. */
async function sendAtRate(
  urls: string[],
  secret: string,
  prefix: string,
  rate: number,
  seconds: number,
): Promise<Sent[]> {
  const total = Math.round(rate * seconds);
  const sent: Sent[] = [];
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const externalChartId = `${prefix}${i}`;
    const body = chartCreated(externalChartId, i);
    const record: Sent = { externalChartId, sentAt: Date.now(), responseMs: null, status: null };
    sent.push(record);
    const began = performance.now();
    const timestamp = Math.floor(Date.now() / 1000);
    inFlight.push(
      fetch(urls[i % urls.length]!, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'webhook-id': externalChartId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, externalChartId, timestamp, body),
        },
        body,
      })
        .then(async (response) => {
          await response.text();
          record.status = response.status;
          record.responseMs = performance.now() - began;
        })
        .catch(() => {
          record.responseMs = performance.now() - began;
        }),
    );
  }
  await Promise.all(inFlight);
  return sent;
}

async function invitationTimes(db: Db, prefix: string): Promise<Map<string, number>> {
  const rows = await db.emailMessage.findMany({
    where: {
      template: 'portal-invitation',
      status: 'SENT',
      onboarding: { organizationId: DEMO.organizationId, externalChartId: { startsWith: prefix } },
    },
    select: { sentAt: true, onboarding: { select: { externalChartId: true } } },
  });
  return new Map(
    rows.flatMap((row) =>
      row.onboarding && row.sentAt ? [[row.onboarding.externalChartId, row.sentAt.getTime()]] : [],
    ),
  );
}

/** Invitations each worker handed to the mailer, from its own /metrics (emails_sent_total, outcome "sent"). */
async function invitationsSentByWorker(ports: number[], token: string): Promise<number[]> {
  return Promise.all(
    ports.map(async (port) => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const text = await response.text();
      const line = text
        .split('\n')
        .find(
          (row) =>
            row.startsWith('emails_sent_total{') &&
            row.includes('template="portal-invitation"') &&
            row.includes('outcome="sent"'),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    }),
  );
}

async function waitForInvitations(db: Db, prefix: string, expected: number, processes: WorkerProcess[]) {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const times = await invitationTimes(db, prefix);
    if (times.size >= expected) return times;
    const dead = processes.find((child) => child.child.exitCode !== null || child.child.signalCode !== null);
    if (dead) throw new Error(`a service process ended: ${dead.output().slice(-2000)}`);
    if (Date.now() > deadline) return times;
    await sleep(250);
  }
}

async function main(): Promise<number> {
  const options = readOptions();
  if (!process.env.BENCH_DATABASE_URL) {
    throw new UsageError(
      'BENCH_DATABASE_URL must name a PostgreSQL server: the open-loop bench measures production’s shape',
    );
  }
  const stack: Stage[] = [];
  const cleanup = () => stopAll(stack);
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const database = await provisionDatabase(stack, 'openloop');
    await migrate(database.url);
    say('Starting Temporal dev server (in memory) ...');
    const temporalServer = await startTemporalDevServer();
    stack.push({ name: 'Temporal dev server', stop: () => temporalServer.stop() });
    const outboxDir = await mkdtemp(path.join(os.tmpdir(), 'bench-outbox-'));
    stack.push({ name: 'outbox', stop: () => rm(outboxDir, { recursive: true, force: true }) });
    const apiPorts = await Promise.all(Array.from({ length: options.apis }, () => freePort()));
    const workerMetricsPorts = await Promise.all(Array.from({ length: options.workers }, () => freePort()));
    const metricsToken = randomBytes(24).toString('hex');
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '10',
      TEMPORAL_ADDRESS: temporalServer.address,
      PAYLOAD_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
      OUTBOX_DIR: outboxDir,
      PUBLIC_BASE_URL: `http://127.0.0.1:${apiPorts[0]}`,
      METRICS_TOKEN: metricsToken,
      LOG_LEVEL: 'warn',
    };
    const config = loadConfig(env);
    const db = createDb(database.url, { poolMax: 2 });
    stack.push({ name: 'database pool', stop: () => db.$disconnect() });
    const webhookSecret = newWebhookSecret();
    await seedDemo(db, { secretBox: secretBoxFromConfig(config), webhookSecret });

    say(`Starting ${options.apis} API and ${options.workers} worker process(es) ...`);
    const processEnv = { PATH: process.env.PATH, ...env };
    const processes = [
      ...apiPorts.map((port) => spawnServiceProcess('start-api', { ...processEnv, PORT: String(port) })),
      ...workerMetricsPorts.map((port) =>
        spawnServiceProcess('start-worker', { ...processEnv, WORKER_METRICS_PORT: String(port) }),
      ),
    ];
    for (const child of processes) {
      stack.push({
        name: 'service process',
        stop: async () => {
          child.child.kill('SIGTERM');
          await child.exited;
        },
      });
    }
    const bases = apiPorts.map((port) => `http://127.0.0.1:${port}`);
    const ready = Date.now() + 60_000;
    for (const base of bases) {
      while (
        !(await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > ready) throw new Error(`the API did not answer: ${processes[0]!.output().slice(-2000)}`);
        await sleep(200);
      }
    }
    const webhookUrls = bases.map((base) => `${base}/v1/webhooks/ehr/${DEMO.integrationId}`);
    // One onboarding per worker end to end first: each worker bundles its workflows when it starts.
    const warm = `OPENLOOP-warm-${randomBytes(3).toString('hex')}-`;
    await sendAtRate(webhookUrls, webhookSecret, warm, 2, 2 * options.workers);
    await waitForInvitations(db, warm, 4 * options.workers, processes);
    const sentBefore = await invitationsSentByWorker(workerMetricsPorts, metricsToken);

    const perRate = [];
    for (const rate of options.rates) {
      const prefix = `OPENLOOP-${rate}-${randomBytes(3).toString('hex')}-`;
      say(`${rate} per second for ${options.seconds} s ...`);
      const sent = await sendAtRate(webhookUrls, webhookSecret, prefix, rate, options.seconds);
      const accepted = sent.filter((record) => record.status === 202);
      const times = await waitForInvitations(db, prefix, accepted.length, processes);
      const latencies = accepted.flatMap((record) => {
        const at = times.get(record.externalChartId);
        return at === undefined ? [] : [at - record.sentAt];
      });
      const figures = {
        ratePerSec: rate,
        sent: sent.length,
        accepted: accepted.length,
        invited: latencies.length,
        webhookMs: summarize(
          accepted.flatMap((record) => (record.responseMs === null ? [] : [record.responseMs])),
          1,
        ),
        webhookToInvitationMs: summarize(latencies, 0),
      };
      say(
        `  webhook p50/p95/p99 ${figures.webhookMs.p50}/${figures.webhookMs.p95}/${figures.webhookMs.p99} ms; ` +
          `→ invitation ${figures.webhookToInvitationMs.p50}/${figures.webhookToInvitationMs.p95}/${figures.webhookToInvitationMs.p99} ms ` +
          `(${figures.invited} of ${figures.sent})`,
      );
      perRate.push(figures);
    }

    // The work spread, and nothing done twice: each invitation handed to the mailer by exactly one worker.
    const sentAfter = await invitationsSentByWorker(workerMetricsPorts, metricsToken);
    const invitationsByWorker = sentAfter.map((n, i) => n - (sentBefore[i] ?? 0));
    const invitationsSent = invitationsByWorker.reduce((a, b) => a + b, 0);
    const onboardings = perRate.reduce((sum, rate) => sum + rate.accepted, 0);
    say(
      `  invitations sent by each worker: ${invitationsByWorker.join(', ')} (${invitationsSent} for ${onboardings} onboardings)`,
    );

    const output = recordResult({
      bench: 'open-loop',
      seconds: options.seconds,
      database: 'postgresql',
      processes: { apis: options.apis, workers: options.workers },
      rates: perRate,
      invitationsByWorker,
      duplicateInvitations: invitationsSent - onboardings,
      node: process.version,
    });
    say('Stopping ...');
    // Each workflow's last task (after the invitation) completes a moment later; stopping mid-write makes the server log errors.
    await sleep(1000);
    const clean = await cleanup();
    process.stdout.write(`${JSON.stringify(output)}\n`);
    const complete = perRate.every((rate) => rate.invited === rate.sent) && invitationsSent === onboardings;
    return complete && clean ? 0 : 1;
  } catch (error) {
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    await cleanup();
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      say(
        `${error.message}\nUsage: BENCH_DATABASE_URL=… npm run bench:open-loop -- [--rates 10,20,40] [--seconds 60] [--apis 1] [--workers 1]`,
      );
      process.exit(2);
    }
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
