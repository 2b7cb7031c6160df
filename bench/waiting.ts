/**
 * `npm run bench:waiting`: many clients waiting to register, as a practice's
 * backlog looks for seven days. Starts onboardings in steps (1,000, then up
 * to 10,000 by default; `--n 1000,10000,100000` for the large run), each
 * invited and waiting on its 7-day timer, and after each step prints the
 * worker's resident memory and CPU while idle, then while a wave of 1 % of
 * them registers (registration → confirmation email handed to the mailer,
 * p50/p95/p99). Then the worker is restarted with a small workflow cache
 * (`--small-cache 100`) and the same is measured again.
 *
 * The worker is its own process (scripts/start-worker.ts), so its memory is
 * its own; onboardings are started the way the webhook starts them (row,
 * then workflow) but straight from here, to reach 100,000 in reasonable
 * time. Needs PostgreSQL (BENCH_DATABASE_URL): PGlite is not the production
 * shape at this size.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { secretBoxFromConfig } from '../app/from-config';
import { loadConfig } from '../config/env';
import { createDb, type Db } from '../db/client';
import { migrate } from '../db/migrate';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { createLogger } from '../observability/logger';
import { DEMO, seedDemo } from '../prisma/seed';
import { invitationToken } from '../security/tokens';
import { createDataConverter } from '../temporal/data-converter';
import { temporalConfig } from '../temporal.config';
import { spawnServiceProcess, type WorkerProcess } from '../test/support/worker-process';
import { registerPortalAccount } from '../use-cases/accounts/register-portal-account';
import { onboardingWorkflowId } from '../use-cases/onboarding/start-onboarding';
import type { ClientOnboardingInput } from '../workflows/client-onboarding';
import { provisionDatabase, say, stopAll, summarize, UsageError, type Stage } from './bench-stack';
import { recordResult } from './results-log';

const START_CONCURRENCY = 64;
const WAVE_CONCURRENCY = 8;
const IDLE_SAMPLE_MS = 10_000;
const SETTLE_TIMEOUT_MS = 60 * 60_000;
const DATE_OF_BIRTH = '1990-01-01';
const PASSWORD = 'waiting bench password 1';

interface Options {
  steps: number[];
  smallCache: number;
}

function readOptions(): Options {
  let values: { n?: string; 'small-cache'?: string };
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: { n: { type: 'string' }, 'small-cache': { type: 'string' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const steps = (values.n ?? '1000,10000').split(',').map(Number);
  if (steps.some((n, i) => !Number.isSafeInteger(n) || n < 100 || (i > 0 && n <= steps[i - 1]!))) {
    throw new UsageError(`--n must be rising whole numbers of at least 100, got "${values.n}"`);
  }
  const smallCache = Number(values['small-cache'] ?? 100);
  if (!Number.isSafeInteger(smallCache) || smallCache < 1) {
    throw new UsageError(`--small-cache must be a positive whole number, got "${values['small-cache']}"`);
  }
  return { steps, smallCache };
}

/** Resident memory (MB) and CPU seconds so far of a process, from /proc (Linux). */
function processUsage(pid: number): { rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // Fields after the command name's closing parenthesis; utime and stime are the 14th and 15th of the line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: Math.round(rssKb / 1024), cpuSeconds: ticks / 100 };
}

async function cpuPercentOver(pid: number, ms: number): Promise<number> {
  const before = processUsage(pid).cpuSeconds;
  await sleep(ms);
  return Number((((processUsage(pid).cpuSeconds - before) * 1000 * 100) / ms).toFixed(1));
}

async function waitUntil(what: string, check: () => Promise<boolean>, worker: WorkerProcess): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  let lastReport = 0;
  while (!(await check())) {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error(`the worker ended: ${worker.output().slice(-2000)}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (Date.now() - lastReport > 10_000) {
      say(`  waiting for ${what} ...`);
      lastReport = Date.now();
    }
    await sleep(500);
  }
}

/** Rows as the webhook writes them, then the workflows, START_CONCURRENCY at a time. */
async function startOnboardings(db: Db, temporal: Client, taskQueue: string, from: number, to: number) {
  const ids = Array.from({ length: to - from }, () => randomUUID());
  const charts = ids.map((_, i) => `WAIT-${from + i}`);
  await db.$executeRaw`
    INSERT INTO onboarding (id, organization_id, external_chart_id, workflow_id, invite_requested, updated_at)
    SELECT id, ${DEMO.organizationId}::uuid, chart, 'onboarding-' || id, true, now()
    FROM unnest(${ids}::uuid[], ${charts}::text[]) AS t(id, chart)`;
  let next = 0;
  const starter = async () => {
    while (next < ids.length) {
      const i = next++;
      const input: ClientOnboardingInput = {
        onboardingId: ids[i]!,
        organizationId: DEMO.organizationId,
        chart: {
          externalChartId: charts[i]!,
          client: {
            firstName: 'Waiting',
            lastName: `Client${from + i}`,
            dateOfBirth: DATE_OF_BIRTH,
            email: `waiting-${from + i}@example.test`,
          },
        },
        inviteRequested: true,
        formPackageId: null,
      };
      await temporal.workflow.start('clientOnboarding', {
        taskQueue,
        workflowId: onboardingWorkflowId(ids[i]!),
        args: [input],
      });
    }
  };
  await Promise.all(Array.from({ length: START_CONCURRENCY }, starter));
}

const invitedCount = (db: Db) =>
  db.emailMessage.count({
    where: { organizationId: DEMO.organizationId, template: 'portal-invitation', status: 'SENT' },
  });

/** 1 % of the waiting clients register at once (WAVE_CONCURRENCY at a time); the time until each one's confirmation is handed to the mailer. */
async function registrationWave(
  deps: { db: Db; temporal: Client; signingKey: Buffer },
  count: number,
  worker: WorkerProcess,
) {
  const { db, temporal } = deps;
  const invitations = await db.invitation.findMany({
    where: { organizationId: DEMO.organizationId, status: 'PENDING' },
    select: { id: true, onboardingId: true, onboarding: { select: { externalChartId: true } } },
    take: count,
  });
  const logger = createLogger({ level: 'silent' });
  const startedAt = new Map<string, number>();
  let next = 0;
  const registrar = async () => {
    while (next < invitations.length) {
      const invitation = invitations[next++]!;
      const n = Number(invitation.onboarding.externalChartId.slice('WAIT-'.length));
      startedAt.set(invitation.onboardingId, Date.now());
      const result = await registerPortalAccount(
        { db, temporal, logger },
        invitationToken(deps.signingKey, invitation.id),
        {
          lastName: `Client${n}`,
          dateOfBirth: DATE_OF_BIRTH,
          password: PASSWORD,
          passwordConfirmation: PASSWORD,
        },
      );
      if (result.outcome !== 'registered') throw new Error(`registration refused: ${result.outcome}`);
    }
  };
  const pid = worker.child.pid!;
  const cpuBefore = processUsage(pid).cpuSeconds;
  const waveStart = Date.now();
  await Promise.all(Array.from({ length: WAVE_CONCURRENCY }, registrar));
  const ids = [...startedAt.keys()];
  const confirmed = () =>
    db.emailMessage.findMany({
      where: { onboardingId: { in: ids }, template: 'registration-confirmed', status: 'SENT' },
      select: { onboardingId: true, sentAt: true },
    });
  let rows: Awaited<ReturnType<typeof confirmed>> = [];
  await waitUntil('the wave’s confirmations', async () => (rows = await confirmed()).length >= ids.length, worker);
  const seconds = (Date.now() - waveStart) / 1000;
  const latencies = rows.map((row) => row.sentAt!.getTime() - (startedAt.get(row.onboardingId!) ?? 0));
  return {
    registrations: ids.length,
    registrationToConfirmationMs: summarize(latencies, 0),
    workerCpuPercent: Number((((processUsage(pid).cpuSeconds - cpuBefore) * 100) / seconds).toFixed(1)),
    workerRssMbAfter: processUsage(pid).rssMb,
  };
}

async function main(): Promise<number> {
  const options = readOptions();
  if (!process.env.BENCH_DATABASE_URL) throw new UsageError('BENCH_DATABASE_URL must name a PostgreSQL server');
  const stack: Stage[] = [];
  const cleanup = () => stopAll(stack);
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const database = await provisionDatabase(stack, 'waiting');
    await migrate(database.url);
    say('Starting Temporal dev server (in memory) ...');
    const temporalServer = await startTemporalDevServer();
    stack.push({ name: 'Temporal dev server', stop: () => temporalServer.stop() });
    const outboxDir = await mkdtemp(path.join(os.tmpdir(), 'bench-outbox-'));
    stack.push({ name: 'outbox', stop: () => rm(outboxDir, { recursive: true, force: true }) });
    const env: Record<string, string> = {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: '10',
      TEMPORAL_ADDRESS: temporalServer.address,
      PAYLOAD_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
      TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
      OUTBOX_DIR: outboxDir,
      PUBLIC_BASE_URL: 'http://127.0.0.1:3999',
      LOG_LEVEL: 'warn',
    };
    const config = loadConfig(env);
    const db = createDb(database.url, { poolMax: 10 });
    stack.push({ name: 'database pool', stop: () => db.$disconnect() });
    await seedDemo(db, {
      secretBox: secretBoxFromConfig(config),
      webhookSecret: `whsec_${randomBytes(24).toString('base64')}`,
    });
    const connection = await Connection.connect({ address: temporalServer.address });
    stack.push({ name: 'Temporal client', stop: () => connection.close() });
    const temporal = new Client({ connection, dataConverter: createDataConverter(config.payloadKeys) });
    const taskQueue = temporalConfig.taskQueue;

    const startWorker = async (cache?: number) => {
      const child = spawnServiceProcess('start-worker', {
        PATH: process.env.PATH,
        ...env,
        ...(cache === undefined ? {} : { WORKER_MAX_CACHED_WORKFLOWS: String(cache) }),
      });
      stack.push({
        name: 'worker',
        stop: async () => {
          if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
          await child.exited;
        },
      });
      return child;
    };
    let current = await startWorker();

    const measure = async (label: string, waiting: number) => {
      // A worker bundles its workflows when it starts and finishes its last tasks after the last
      // invitation: wait until it is quiet (under 5 % of a core over 2 s, for at most 2 minutes).
      const pid = current.child.pid!;
      for (let tries = 0; tries < 60 && (await cpuPercentOver(pid, 2000)) > 5; tries += 1);
      const idleCpuPercent = await cpuPercentOver(pid, IDLE_SAMPLE_MS);
      const idleRssMb = processUsage(pid).rssMb;
      const wave = await registrationWave(
        { db, temporal, signingKey: config.tokenSigningKey },
        Math.max(1, Math.round(waiting / 100)),
        current,
      );
      const figures = { label, waiting, idleRssMb, idleCpuPercent, wave };
      say(
        `  ${label}: ${waiting} waiting, idle ${idleRssMb} MB, ${idleCpuPercent} % CPU; wave of ${wave.registrations}: ` +
          `p50/p95/p99 ${wave.registrationToConfirmationMs.p50}/${wave.registrationToConfirmationMs.p95}/${wave.registrationToConfirmationMs.p99} ms, ` +
          `${wave.workerCpuPercent} % CPU, ${wave.workerRssMbAfter} MB after`,
      );
      return figures;
    };

    const results = [];
    let started = 0;
    let registered = 0;
    for (const step of options.steps) {
      say(`Starting onboardings ${started + 1}–${step} ...`);
      const began = Date.now();
      await startOnboardings(db, temporal, taskQueue, started, step);
      await waitUntil(`${step} invitations`, async () => (await invitedCount(db)) >= step, current);
      say(`  ${step - started} invited in ${((Date.now() - began) / 1000).toFixed(0)} s`);
      started = step;
      const figures = await measure('default cache', started - registered);
      registered += figures.wave.registrations;
      results.push(figures);
    }

    say(`Restarting the worker with a workflow cache of ${options.smallCache} ...`);
    current.child.kill('SIGTERM');
    await current.exited;
    current = await startWorker(options.smallCache);
    results.push(await measure(`cache ${options.smallCache}`, started - registered));

    const output = recordResult({
      bench: 'waiting',
      database: 'postgresql',
      steps: options.steps,
      smallCache: options.smallCache,
      results,
      node: process.version,
    });
    say('Stopping ...');
    const clean = await cleanup();
    process.stdout.write(`${JSON.stringify(output)}\n`);
    return clean ? 0 : 1;
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
        `${error.message}\nUsage: BENCH_DATABASE_URL=… npm run bench:waiting -- [--n 1000,10000] [--small-cache 100]`,
      );
      process.exit(2);
    }
    say(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
