/**
 * `npm start`: the whole service on this machine, nothing to install.
 *
 * Embedded PostgreSQL (PGlite) and the Temporal dev server, both persisted in
 * .data/, migrations and demo seed, then the worker and the API in this
 * process. Ctrl-C stops everything in order; the next start finds its data
 * (and its running flows) again. Production runs start:worker and start:api
 * against real PostgreSQL and a Temporal cluster instead.
 */
import path from 'node:path';
import { Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { createWorkerFromConfig, secretBoxFromConfig, startApiFromConfig } from '../app/from-config';
import { ConfigError, loadConfig, loadObservabilityConfig } from '../config/env';
import { createDb } from '../db/client';
import { migrate } from '../db/migrate';
import { startEmbeddedPostgres } from '../local/embedded-postgres';
import {
  localAdminApiKey,
  localAdminPassword,
  localPayloadKeys,
  localTokenSigningKey,
  localWebhookSecret,
  localEmailEventsSecret,
} from '../local/dev-secrets';
import { startTemporalDevServer } from '../local/temporal-dev-server';
import { createLogger } from '../observability/logger';
import { prettyDestination } from '../observability/pretty-log';
import { createMetrics } from '../observability/metrics';
import { DEMO_PAYER, seedDemoOnboardings } from '../local/demo-onboardings';
import { DEMO, seedDemo } from '../prisma/seed';
import { connectClient } from '../temporal/connection';
import { temporalConfig } from '../temporal.config';
import { temporalMetricsRuntimeOptions } from '../temporal/runtime-metrics';
import { sdkLoggingRuntimeOptions } from '../temporal/sdk-logger';
import { runMain } from './run-main';

/**
 * Where `npm start` keeps its data and which ports it takes. The defaults
 * suit a laptop; the overrides let two copies (or a test) run side by side.
 */
const ZLocalEnv = z.object({
  LOCAL_DATA_DIR: z
    .string()
    .min(1)
    .default(path.resolve(__dirname, '..', '.data')),
  LOCAL_POSTGRES_PORT: z.coerce.number().int().min(0).max(65535).default(54329),
  LOCAL_TEMPORAL_PORT: z.coerce.number().int().min(0).max(65535).default(temporalConfig.devServer.port),
  LOCAL_TEMPORAL_UI_PORT: z.coerce.number().int().min(0).max(65535).default(temporalConfig.devServer.uiPort),
});

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * The API's address as README.md and the emails write it. The server listens
 * on 127.0.0.1 (HOST), which browsers and curl reach as localhost; and the
 * portal's links (PUBLIC_BASE_URL) say localhost, so a session cookie set on
 * one name is not missing on the other.
 */
function asLocalhost(url: string): string {
  return url.replace(/^http:\/\/(127\.0\.0\.1|\[::1\])(?=:)/, 'http://localhost');
}

/** Resolves once nothing has been logged for `quietMs` (or after `maxMs`): start-up's flurry is over. */
async function settled(lastWriteAt: () => number, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline && Date.now() - lastWriteAt() < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

runMain(async () => {
  const local = ZLocalEnv.safeParse(process.env);
  if (!local.success) {
    throw new ConfigError(local.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const DATA_DIR = path.resolve(local.data.LOCAL_DATA_DIR);
  // We stop things in our own order on Ctrl-C, not the SDK's; its logs are for problems only.
  // Before the dev server starts: it is the runtime's first connection. Core's metrics exporter is set here too.
  // A person reads this terminal, not a log pipeline: one short line per event (start:api and start:worker keep JSON).
  const logLines = prettyDestination();
  // The SDK's own lines (activity failures quote their messages) get our redaction too.
  Runtime.install(
    sdkLoggingRuntimeOptions(createLogger({ name: 'local', destination: logLines }), {
      shutdownSignals: [],
      ...temporalMetricsRuntimeOptions(loadObservabilityConfig().temporalMetricsBindAddress),
    }),
  );
  const stack: { name: string; stop: () => Promise<unknown> }[] = [];

  say('Starting embedded PostgreSQL (PGlite) ...');
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(DATA_DIR, 'pglite'),
    port: local.data.LOCAL_POSTGRES_PORT,
  });
  stack.push({ name: 'PostgreSQL', stop: () => postgres.stop() });
  const migrations = await migrate(postgres.url);
  say(`  migrations: ${migrations.applied.length} applied, ${migrations.alreadyApplied.length} already there`);
  // PGlite is one session, logged in as its owner: a second login role cannot connect to it.
  say('  database role: the owner (PGlite has one session); production runs the service as a portal_service member');

  say('Starting Temporal dev server ...');
  const temporalServer = await startTemporalDevServer({
    dataDir: path.join(DATA_DIR, 'temporal'),
    port: local.data.LOCAL_TEMPORAL_PORT,
    uiPort: local.data.LOCAL_TEMPORAL_UI_PORT,
    // The UI decodes through the API's codec with the staff dashboard's session cookie (api/routes/temporal-codec.ts).
    uiCodecEndpoint: `http://localhost:${process.env.PORT ?? 3000}/staff/codec`,
  });
  stack.push({ name: 'Temporal dev server', stop: () => temporalServer.stop() });

  const config = loadConfig({
    ...process.env,
    DATABASE_URL: postgres.url,
    DATABASE_POOL_MAX: '1',
    TEMPORAL_ADDRESS: temporalServer.address,
    // The ops API and CLI link each flow to the Web UI.
    TEMPORAL_UI_URL: process.env.TEMPORAL_UI_URL ?? temporalServer.uiUrl ?? undefined,
    PAYLOAD_ENCRYPTION_KEYS: process.env.PAYLOAD_ENCRYPTION_KEYS ?? (await localPayloadKeys(DATA_DIR)),
    TOKEN_SIGNING_KEY: process.env.TOKEN_SIGNING_KEY ?? (await localTokenSigningKey(DATA_DIR)),
    OUTBOX_DIR: process.env.OUTBOX_DIR ?? path.join(DATA_DIR, 'outbox'),
    PUBLIC_BASE_URL: process.env.PUBLIC_BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
    // On this machine the demo practice's people are the deployment's operators: the local Web UI decodes with its keys.
    CODEC_OPERATOR_ORGANIZATIONS: process.env.CODEC_OPERATOR_ORGANIZATIONS ?? DEMO.organizationSlug,
    // Payments without a Stripe account: a local checkout page that asks for no card (payments/local-provider.ts).
    PAYMENTS_PROVIDER: process.env.PAYMENTS_PROVIDER ?? 'local',
    // The outbox signs the delivery events it simulates (bounce.test bounces) and the API verifies them.
    RESEND_WEBHOOK_SECRET: process.env.RESEND_WEBHOOK_SECRET ?? (await localEmailEventsSecret(DATA_DIR)),
  });
  const logger = createLogger({ level: config.server.logLevel, name: 'local', destination: logLines });

  // PGlite serves one connection at a time: the worker and the API share this pool of one.
  const db = createDb(config.database.url, { poolMax: 1 });
  stack.push({ name: 'database pool', stop: () => db.$disconnect() });
  const adminApiKey = await localAdminApiKey(DATA_DIR);
  const webhookSecret = await localWebhookSecret(DATA_DIR);
  const adminPassword = await localAdminPassword(DATA_DIR);
  await seedDemo(db, { secretBox: secretBoxFromConfig(config), adminApiKey, webhookSecret, adminPassword });

  // One registry for the worker and the API in this one process: the API's /metrics shows both.
  const metrics = createMetrics();
  const { worker, connection: workerConnection } = await createWorkerFromConfig(config, db, {
    metrics,
    logger,
    // A practice trying callbacks locally points them at a receiver on this machine, often plain http.
    allowPrivateCallbackTargets: true,
  });
  stack.push({ name: 'worker connection', stop: () => workerConnection.close() });
  const workerRun = worker.run();
  stack.push({
    name: 'worker',
    stop: async () => {
      worker.shutdown();
      await workerRun;
    },
  });

  const temporal = await connectClient(config);
  stack.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
  const api = await startApiFromConfig(
    config,
    { db, temporal, logger, metrics },
    {
      devOutbox: true,
      allowPrivateCallbackTargets: true,
    },
  );
  stack.push({ name: 'API', stop: () => api.close() });
  // First start only: a client at each stage, so the staff dashboard has something to show.
  const demoCreated = await seedDemoOnboardings({
    db,
    temporal,
    taskQueue: config.temporal.taskQueue,
    logger,
    tokenSigningKey: config.tokenSigningKey,
  });

  // Everything is up: let the demo clients' first steps log, then the banner, so it is the last thing on screen.
  await settled(() => logLines.lastWriteAt(), 1500, 20_000);
  const url = asLocalhost(api.url);
  const interactive = process.stdin.isTTY;
  const banner = () => {
    say('');
    say('Client portal onboarding is running.');
    say(`  API             ${url}`);
    say(`  Temporal Web UI ${temporalServer.uiUrl ? asLocalhost(temporalServer.uiUrl) : '(disabled)'}`);
    if (temporalServer.uiUrl) {
      say('    to read payloads: sign in to the staff dashboard as the demo admin, then in the Web UI');
      say('    open Codec Server settings and tick "Include cross-origin credentials" (once per browser)');
    }
    say(`  Metrics         ${url}/metrics`);
    say(`  PostgreSQL      ${postgres.url}`);
    say(`  Data folder     ${DATA_DIR}`);
    say('');
    say(`  Staff dashboard ${url}/staff/${DEMO.organizationSlug}   (${DEMO.adminEmail} / ${adminPassword})`);
    say(`  Email outbox    ${url}/dev/outbox`);
    say(`  Staff API key   ${adminApiKey}   (demo admin; send as Authorization: Bearer ...)`);
    say('');
    say(`  Webhook secret  ${webhookSecret}   (demo EHR integration ${DEMO.integrationId})`);
    say('');
    if (config.payments.provider !== 'none') {
      say(
        `  Client portal   ${url}/portal/${DEMO.organizationSlug}/login   (${DEMO_PAYER.email} / ${DEMO_PAYER.password})`,
      );
      say(
        `                  My Account has a balance to pay${config.payments.provider === 'local' ? ' on the local test checkout (no card asked)' : ''}.`,
      );
      say('');
    }
    if (demoCreated) {
      say("Demo clients created: one at each stage. Grace Hopper's invitation expires a minute from now;");
      say('resend it from her page in the staff dashboard.');
      say('');
    }
    say('Send a signed chart-created webhook as the demo EHR (add a JSON body of your own as an argument):');
    say(`  npm run -s webhook:send`);
    say('Then read it back (status, timeline), and find the invitation email in the outbox:');
    say(`  curl -s -H 'Authorization: Bearer ${adminApiKey}' ${url}/v1/onboardings/<onboardingId>`);
    if (interactive) say('Press Enter to show this again.');
    say('Press Ctrl-C to stop.');
  };
  banner();
  if (interactive) {
    // Later events scroll it away again; Enter brings back the addresses and keys without a restart.
    process.stdin.on('data', () => banner());
    process.stdin.unref();
  }

  let stopping = false;
  const stopAll = async (signal: string) => {
    if (stopping) {
      say('Forced exit.');
      process.exit(130);
    }
    stopping = true;
    say(`\n${signal}: stopping (Ctrl-C again to force) ...`);
    for (const part of stack.reverse()) {
      try {
        await part.stop();
        say(`  stopped ${part.name}`);
      } catch (error) {
        say(`  ${part.name} did not stop cleanly: ${(error as Error).message}`);
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));
});
