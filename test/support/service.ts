import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, type Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { Mailer } from '../../emails/mailer';
import { testActivityDeps } from './activity-deps';
import { signedWebhookHeaders, testSecretBox, testSecretKeys, WEBHOOK_SECRETS } from './factories';
import { startApiServer, type RunningApi } from '../../app/http-server';
import { createLogger } from '../../observability/logger';
import { createMetrics, type AppMetrics } from '../../observability/metrics';
import { createLocalPaymentProvider } from '../../payments/local-provider';
import type { PaymentProvider } from '../../payments/payment-provider';
import type { PayloadKey } from '../../temporal/payload-codec';
import { sdkLoggingRuntimeOptions } from '../../temporal/sdk-logger';
import {
  createDevServerEnv,
  createTimeSkippingEnv,
  createTestWorker,
  testPayloadKeys,
  testPayloadKeysEnv,
  testTaskQueue,
} from './temporal';
import { createTestDatabase, type TestDatabase } from './test-database';
import { EMAIL_EVENTS_PATH } from '../../api/routes/email-webhooks';

export interface TestService {
  api: RunningApi;
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  keys: PayloadKey[];
  taskQueue: string;
  /** Where the outbox mailer writes the emails the flows send. */
  outboxDir: string;
  /** Environment for a separate worker or API process on the same servers (scripts/start-*.ts). */
  processEnv: NodeJS.ProcessEnv;
  /** One registry for the API and the in-process workers, as in `npm start`; the API serves it at /metrics. */
  metrics: AppMetrics;
  /** RESEND_WEBHOOK_SECRET of this API (served only with the `emailEvents` option). */
  emailEventsSecret: string;
  /** The provider given in the options ('local' made here), or undefined. */
  payments: PaymentProvider | undefined;
  startWorker(): Promise<{ worker: Worker; stop(): Promise<void> }>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * The real stack for integration tests: a Temporal dev server, a database
 * (real PostgreSQL in CI), and the HTTP API listening on a random port.
 * Workers are started by the test, in this process or as separate processes.
 * `timeSkipping` runs the time-skipping test server instead of the dev server,
 * so a test can `env.sleep('7 days')` to see an invitation expire.
 */
export async function startTestService(
  options: {
    mailer?: Mailer;
    timeSkipping?: boolean;
    metricsToken?: string;
    temporalUiUrl?: string;
    /** CODEC_OPERATOR_ORGANIZATIONS: slugs (see createTestOrganization's `slug`) whose ops and admins may use /codec. */
    codecOperatorOrganizations?: string[];
    /**
     * The card processor for the API and the in-process workers: 'local' (the
     * checkout page of `npm start`), or a provider the test made (Stripe's
     * against stripe-mock). None: the portal takes no payments.
     */
    payments?: 'local' | PaymentProvider;
    /** TRUST_PROXY as the API gets it; default: loopback proxies only. */
    trustProxy?: number | string[];
    /** Serve Resend's delivery-event webhook, verified with `emailEventsSecret`. */
    emailEvents?: boolean;
    /** Also have the outbox post the delivery events it simulates to it (bounce.test bounces). */
    simulateDeliveryEvents?: boolean;
  } = {},
): Promise<TestService> {
  if (!runtimeInstalled) {
    // As in production: the SDK's lines through our redacting logger (temporal/sdk-logger.ts).
    Runtime.install(sdkLoggingRuntimeOptions(createLogger({ name: 'temporal-sdk' }), { shutdownSignals: [] }));
    runtimeInstalled = true;
  }
  const keys = testPayloadKeys();
  const taskQueue = testTaskQueue();
  const [env, database] = await Promise.all([
    options.timeSkipping ? createTimeSkippingEnv(keys) : createDevServerEnv(keys),
    createTestDatabase(),
  ]);
  const emailEventsSecret = `whsec_${randomBytes(32).toString('base64')}`;
  let apiUrl = '';
  const activityDeps = testActivityDeps(database.db, {
    ...(options.mailer ? { mailer: options.mailer } : {}),
    ...(options.emailEvents && options.simulateDeliveryEvents
      ? { deliveryEvents: { url: () => `${apiUrl}${EMAIL_EVENTS_PATH}`, secret: emailEventsSecret } }
      : {}),
  });
  const metrics = createMetrics();
  const payments =
    options.payments === 'local' ? createLocalPaymentProvider(activityDeps) : (options.payments ?? undefined);
  const api = await startApiServer(
    {
      db: database.db,
      temporal: env.client,
      taskQueue,
      logger: createLogger({ level: 'silent' }),
      tokenSigningKey: activityDeps.tokenSigningKey,
      publicBaseUrl: activityDeps.publicBaseUrl,
      outboxDir: activityDeps.outboxDir,
      metrics,
      ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
      ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
      payloadKeys: keys,
      codecOperatorOrganizations: options.codecOperatorOrganizations ?? [],
      secretBox: testSecretBox,
      allowPrivateCallbackTargets: true,
      ...(payments ? { payments } : {}),
      ...(options.trustProxy !== undefined ? { trustProxy: options.trustProxy } : {}),
      ...(options.emailEvents ? { emailWebhookSecret: emailEventsSecret } : {}),
    },
    { host: '127.0.0.1', port: 0 },
  );
  apiUrl = api.url;
  // Links in emails must point at this API, so the activities learn its URL now that it listens.
  activityDeps.publicBaseUrl = api.url;
  const workers: { stop(): Promise<void> }[] = [];

  return {
    api,
    env,
    database,
    keys,
    taskQueue,
    outboxDir: activityDeps.outboxDir,
    metrics,
    emailEventsSecret,
    payments,
    processEnv: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: database.kind === 'pglite' ? '1' : '5',
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
      PAYLOAD_ENCRYPTION_KEYS: testPayloadKeysEnv(keys),
      SECRETS_ENCRYPTION_KEYS: testPayloadKeysEnv(testSecretKeys),
      ...(options.codecOperatorOrganizations?.length
        ? { CODEC_OPERATOR_ORGANIZATIONS: options.codecOperatorOrganizations.join(',') }
        : {}),
      TOKEN_SIGNING_KEY: activityDeps.tokenSigningKey.toString('base64'),
      OUTBOX_DIR: activityDeps.outboxDir,
      PUBLIC_BASE_URL: api.url,
      LOG_LEVEL: 'warn',
      PORT: '0',
    },
    async startWorker() {
      const worker = await createTestWorker(env, {
        taskQueue,
        keys,
        activities: createActivities({ ...activityDeps, metrics, ...(payments ? { payments } : {}) }),
        metrics,
      });
      const running = worker.run();
      const handle = {
        worker,
        stop: async () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
        },
      };
      workers.push(handle);
      return handle;
    },
    post: (path, body, headers = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      // Webhooks to a test integration are signed as its EHR would, unless the test set its own headers.
      const integrationId = /^\/v1\/webhooks\/ehr\/([^/]+)$/.exec(path)?.[1];
      const secret = integrationId ? WEBHOOK_SECRETS.get(integrationId) : undefined;
      const signature = secret && !('webhook-signature' in headers) ? signedWebhookHeaders(secret, text) : {};
      return fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signature, ...headers },
        body: text,
      });
    },
    get: (path, headers = {}) => fetch(`${api.url}${path}`, { headers }),
    async stop() {
      await Promise.all(workers.map((worker) => worker.stop()));
      await api.close();
      await env.teardown();
      await database.drop();
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}
