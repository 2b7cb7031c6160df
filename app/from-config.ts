/**
 * How the worker and the API are put together from the configuration. The
 * production entry points (scripts/start-worker.ts, scripts/start-api.ts),
 * the all-in-one `npm start` and the benchmark all build them here, so they
 * cannot drift apart.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { startApiServer, type RunningApi } from './http-server';
import type { AppConfig } from '../config/env';
import type { Db } from '../db/client';
import { createMailer } from '../emails/mailer';
import { EMAIL_EVENTS_PATH } from '../api/routes/email-webhooks';
import { createLogger, type Logger } from '../observability/logger';
import type { AppMetrics } from '../observability/metrics';
import { sealPlaintextSecretsAtStart } from '../security/reseal-integration-secrets';
import { resignalUnconfirmedRegistrations } from '../use-cases/accounts/registration-signals';
import { createSecretBox, type SecretBox } from '../security/secret-box';
import { createLocalPaymentProvider } from '../payments/local-provider';
import type { PaymentProvider } from '../payments/payment-provider';
import { createStripeProvider } from '../payments/stripe-provider';
import { connectWorker } from '../temporal/connection';
import { createOnboardingWorker } from '../temporal/worker';

/** Seals and opens the integration secrets stored in the database, with SECRETS_ENCRYPTION_KEYS (or the payload keys). */
export function secretBoxFromConfig(config: AppConfig): SecretBox {
  return createSecretBox(config.secretsKeys);
}

const localProviders = new Map<string, PaymentProvider>();

/**
 * The card processor PAYMENTS_PROVIDER names, or null for none. The local
 * one keeps its checkouts in memory, so the API and the worker of one
 * `npm start` process must share it: one per public URL per process.
 */
export function paymentProviderFromConfig(config: AppConfig): PaymentProvider | null {
  const payments = config.payments;
  if (payments.provider === 'none') return null;
  if (payments.provider === 'stripe') {
    return createStripeProvider({
      secretKey: payments.secretKey,
      webhookSecret: payments.webhookSecret,
      ...(payments.apiBaseUrl ? { apiBaseUrl: payments.apiBaseUrl } : {}),
    });
  }
  const base = config.server.publicBaseUrl;
  let local = localProviders.get(base);
  if (!local) {
    local = createLocalPaymentProvider({ publicBaseUrl: base });
    localProviders.set(base, local);
  }
  return local;
}

/**
 * `observe`: the registry that counts activities and emails, and the logger
 * for one line per activity attempt. `npm start` passes the API's registry,
 * so one /metrics shows both, and allows callbacks to this machine.
 */
export async function createWorkerFromConfig(
  config: AppConfig,
  db: Db,
  observe: { metrics?: AppMetrics; logger?: Logger; allowPrivateCallbackTargets?: boolean } = {},
): Promise<{ worker: Worker; connection: NativeConnection }> {
  // Integration secrets left in plaintext from before encryption at rest are sealed by the first process to start.
  await sealPlaintextSecretsAtStart(
    db,
    secretBoxFromConfig(config),
    observe.logger ?? createLogger({ level: 'silent' }),
  );
  const connection = await connectWorker(config.temporal);
  const worker = await createOnboardingWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({
      db,
      // The outbox posts its simulated delivery events to this deployment's own webhook.
      mailer: createMailer(config.email, { deliveryEventsUrl: `${config.server.publicBaseUrl}${EMAIL_EVENTS_PATH}` }),
      tokenSigningKey: config.tokenSigningKey,
      publicBaseUrl: config.server.publicBaseUrl,
      ...(observe.metrics ? { metrics: observe.metrics } : {}),
      secretBox: secretBoxFromConfig(config),
      ...withPayments(config),
      // `npm start` passes it, a harness sets ALLOW_PRIVATE_CALLBACK_TARGETS (refused with NODE_ENV=production):
      // otherwise callbacks go over https to public addresses.
      allowPrivateCallbackTargets: observe.allowPrivateCallbackTargets ?? config.allowPrivateCallbackTargets,
    }),
    payloadKeys: config.payloadKeys,
    ...(config.temporal.maxCachedWorkflows !== undefined
      ? { maxCachedWorkflows: config.temporal.maxCachedWorkflows }
      : {}),
    ...(observe.metrics ? { metrics: observe.metrics } : {}),
    ...(observe.logger ? { logger: observe.logger } : {}),
  });
  return { worker, connection };
}

export async function startApiFromConfig(
  config: AppConfig,
  deps: { db: Db; temporal: Client; logger: Logger; metrics?: AppMetrics },
  options: { devOutbox?: boolean; allowPrivateCallbackTargets?: boolean } = {},
): Promise<RunningApi> {
  // Integration secrets left in plaintext from before encryption at rest are sealed by the first process to start.
  const sealing = await sealPlaintextSecretsAtStart(deps.db, secretBoxFromConfig(config), deps.logger);
  const api = await startApiServer(
    {
      ...deps,
      taskQueue: config.temporal.taskQueue,
      tokenSigningKey: config.tokenSigningKey,
      publicBaseUrl: config.server.publicBaseUrl,
      trustProxy: config.server.trustProxy,
      ...(config.observability.metricsToken ? { metricsToken: config.observability.metricsToken } : {}),
      ...(config.temporal.uiUrl ? { temporalUiUrl: config.temporal.uiUrl } : {}),
      payloadKeys: config.payloadKeys,
      codecOperatorOrganizations: config.codecOperatorOrganizations,
      secretBox: secretBoxFromConfig(config),
      ...withPayments(config),
      ...(config.email.webhookSecret ? { emailWebhookSecret: config.email.webhookSecret } : {}),
      ...(options.devOutbox && config.email.transport === 'outbox' ? { outboxDir: config.email.outboxDir } : {}),
      ...(options.allowPrivateCallbackTargets ? { allowPrivateCallbackTargets: true } : {}),
    },
    { host: config.server.host, port: config.server.port },
  ).catch((error: unknown) => {
    sealing.stop();
    throw error;
  });
  // A registration whose signal died with an earlier process is told to its workflow now, in the background.
  void resignalUnconfirmedRegistrations(deps).catch((error: unknown) =>
    deps.logger.warn({ err: error }, 'could not look for unconfirmed registrations'),
  );
  return {
    ...api,
    close: async () => {
      sealing.stop();
      await api.close();
    },
  };
}

function withPayments(config: AppConfig): { payments?: PaymentProvider } {
  const payments = paymentProviderFromConfig(config);
  return payments ? { payments } : {};
}
