/**
 * One chaos episode: the stack (PostgreSQL it may stop, a Temporal dev server
 * with a persistent file, the email stand-in, the API and two workers as
 * processes), traffic and faults for `durationMs`, then a bounded wait for the
 * system to settle and the accounting. Used by `npm run chaos` and by the
 * short CI episode (test/chaos/).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { Client, Connection } from '@temporalio/client';
import { createDb } from '../db/client';
import { migrate } from '../db/migrate';
import { createDataConverter } from '../temporal/data-converter';
import { createTestOrganization, testSecretBox, testSecretKeys } from '../test/support/factories';
import { startResendStandIn, type ResendStandIn } from '../test/support/resend-stand-in';
import { testPayloadKeys, testPayloadKeysEnv } from '../test/support/temporal';
import { startEhrCallbackStandIn } from './ehr-callback-stand-in';
import { FAULT_KINDS, injectFaults, planFaults, type FaultKind, type InjectedFault } from './faults';
import { freePort } from './free-port';
import { account, type Accounting } from './invariants';
import { startChaosPostgres } from './postgres-cluster';
import { createPrng } from './prng';
import { apiProcess, workerProcess, type ChaosProcess } from './services';
import { startChaosTemporal } from './temporal-server';
import { runTraffic, type ChartRecord } from './traffic';

export interface EpisodeOptions {
  seed: number;
  durationMs: number;
  /** New charts per second. */
  rate: number;
  /** Injections of each fault kind. */
  perKind: number;
  kinds?: readonly FaultKind[];
  /** How long a killed part stays down, at least and at most (default 1–5 s). */
  downMs?: readonly [number, number];
  /** How long the system may take to settle once traffic and faults stop. */
  settleMs: number;
  say: (line: string) => void;
}

export interface EpisodeResult {
  seed: number;
  ledger: ChartRecord[];
  faults: InjectedFault[];
  accounting: Accounting;
  /** How the email stand-in answered, by status (0: connection dropped): shows the email faults hit sends. */
  providerAnswers: Record<string, number>;
  /** How the EHR's callback endpoint answered, by status (0: it was down): shows the callback faults hit callbacks. */
  callbackAnswers: Record<string, number>;
  /** Last output of the processes, for a failure report. */
  output: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runEpisode(options: EpisodeOptions): Promise<EpisodeResult> {
  const { say } = options;
  const cleanups: (() => Promise<unknown>)[] = [];
  const processes: ChaosProcess[] = [];
  try {
    // The Temporal server starts while PostgreSQL is made and migrated: set-up is a good part of a short episode.
    const temporalStarting = startChaosTemporal();
    const postgres = await startChaosPostgres(say).catch(async (error: unknown) => {
      await (await temporalStarting.catch(() => null))?.dispose();
      throw error;
    });
    cleanups.push(() => postgres.dispose());
    if (!postgres.control) say(`WARNING: the PostgreSQL fault is skipped: ${postgres.uncontrolledBecause}`);
    const name = `chaos_${randomBytes(6).toString('hex')}`;
    const admin = new PgClient({ connectionString: postgres.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    cleanups.push(async () => {
      const dropper = new PgClient({ connectionString: postgres.adminUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    });
    const url = new URL(postgres.adminUrl);
    url.pathname = `/${name}`;
    const databaseUrl = url.toString();
    await migrate(databaseUrl);
    const db = createDb(databaseUrl, { poolMax: 3 });
    cleanups.push(() => db.$disconnect());
    const org = await createTestOrganization(db);
    // The EHR takes every status callback, at an endpoint on this machine the callback faults can take down.
    const ehr = await startEhrCallbackStandIn();
    cleanups.push(() => ehr.stop());
    await db.ehrIntegration.update({
      where: { id: org.integrationId },
      data: { callbackUrl: ehr.url, callbackSecret: testSecretBox.seal(ehr.secret) },
    });

    const temporal = await temporalStarting;
    cleanups.push(() => temporal.dispose());
    const standIn: ResendStandIn = await startResendStandIn();
    cleanups.push(() => standIn.stop());
    const outboxDir = await mkdtemp(path.join(os.tmpdir(), 'chaos-outbox-'));
    cleanups.push(() => rm(outboxDir, { recursive: true, force: true }));

    const keys = testPayloadKeys();
    const apiUrl = `http://127.0.0.1:${await freePort()}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: '5',
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'chaos',
      PAYLOAD_ENCRYPTION_KEYS: testPayloadKeysEnv(keys),
      SECRETS_ENCRYPTION_KEYS: testPayloadKeysEnv(testSecretKeys),
      TOKEN_SIGNING_KEY: randomBytes(32).toString('base64'),
      EMAIL_TRANSPORT: 'resend',
      RESEND_API_KEY: 're_chaos',
      RESEND_BASE_URL: standIn.url,
      OUTBOX_DIR: outboxDir,
      PUBLIC_BASE_URL: apiUrl,
      PORT: new URL(apiUrl).port,
      LOG_LEVEL: 'warn',
      // The EHR stand-in listens on 127.0.0.1; loadConfig refuses this with NODE_ENV=production.
      ALLOW_PRIVATE_CALLBACK_TARGETS: 'true',
    };
    const api = apiProcess(env, apiUrl);
    const workers = [workerProcess('worker-1', env), workerProcess('worker-2', env)];
    processes.push(api, ...workers);
    cleanups.push(async () => Promise.all(processes.map((process) => process.kill())));
    await Promise.all([api.start(), ...workers.map((worker) => worker.start())]);

    const prng = createPrng(options.seed);
    const faultPrng = createPrng(options.seed ^ 0x5bd1e995);
    const startedAt = Date.now();
    const plan = planFaults(faultPrng, {
      // Faults stop a little before the traffic does, so the last of them heal while work still flows.
      windowMs: Math.max(1_000, options.durationMs * 0.85),
      perKind: options.perKind,
      kinds: options.kinds ?? FAULT_KINDS,
      ...(options.downMs ? { downMs: options.downMs } : {}),
    });
    say(`traffic: ${options.rate}/s for ${Math.round(options.durationMs / 1000)} s; ${plan.length} faults planned`);
    const [ledger, faults] = await Promise.all([
      runTraffic(
        {
          apiUrl,
          integrationId: org.integrationId,
          webhookSecret: org.webhookSecret,
          adminKey: org.keys.admin,
          standIn,
        },
        prng,
        { rate: options.rate, until: startedAt + options.durationMs },
      ),
      injectFaults(plan, { api, workers, temporal, postgres, standIn, ehr }, faultPrng, startedAt, say).then((done) => {
        say('faults healed');
        return done;
      }),
    ]);
    const slowest = ledger.reduce((a, b) => (b.finishedAt - b.startedAt > a.finishedAt - a.startedAt ? b : a));
    say(
      `traffic finished: ${ledger.length} charts (slowest: ${slowest.script}, ${Math.round((slowest.finishedAt - slowest.startedAt) / 1000)} s); ` +
        `settling (up to ${Math.round(options.settleMs / 1000)} s)`,
    );

    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, dataConverter: createDataConverter(keys) });
    const deps = { db, temporal: client, standIn, ehr, organizationId: org.organizationId };
    const settleBy = Date.now() + options.settleMs;
    let accounting = await account(deps, ledger);
    // Callbacks still retrying are allowed (visibly retrying), but an episode that can wait sees them delivered.
    while ((accounting.violations.length > 0 || accounting.callbacksRetrying > 0) && Date.now() < settleBy) {
      await sleep(2_000);
      accounting = await account(deps, ledger);
    }
    say(`accounted: ${accounting.violations.length} violations, ${accounting.callbacksRetrying} callbacks retrying`);
    const output = processes.map((process) => `--- ${process.name}\n${process.output().slice(-3_000)}`).join('\n');
    const providerAnswers: Record<string, number> = {};
    for (const request of standIn.requests) {
      providerAnswers[request.status] = (providerAnswers[request.status] ?? 0) + 1;
    }
    const callbackAnswers: Record<string, number> = {};
    for (const receipt of ehr.receipts) {
      callbackAnswers[receipt.status] = (callbackAnswers[receipt.status] ?? 0) + 1;
    }
    return { seed: options.seed, ledger, faults, accounting, providerAnswers, callbackAnswers, output };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => say(`cleanup: ${String(error)}`));
    }
  }
}
