/** Production worker: `npm run start:worker`. Configured by environment variables only. */
import { Runtime } from '@temporalio/worker';
import { createWorkerFromConfig } from '../app/from-config';
import { loadConfig } from '../config/env';
import { createDb } from '../db/client';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { startMetricsServer } from '../observability/metrics-server';
import { temporalMetricsRuntimeOptions } from '../temporal/runtime-metrics';
import { sdkLoggingRuntimeOptions } from '../temporal/sdk-logger';
import { runMain } from './run-main';

runMain(async () => {
  const config = loadConfig();
  const { observability } = config;
  const logger = createLogger({ level: config.server.logLevel, name: 'worker' });
  // Runtime options are installed once, before the worker's connection: the SDK's own log lines
  // (activity failures quote their messages) go through our redacting logger, and Core's metrics exporter.
  Runtime.install(
    sdkLoggingRuntimeOptions(logger, temporalMetricsRuntimeOptions(observability.temporalMetricsBindAddress)),
  );
  const db = createDb(config.database.url, { poolMax: config.database.poolMax });
  const metrics = createMetrics();
  const { worker, connection } = await createWorkerFromConfig(config, db, { metrics, logger });
  const metricsServer =
    observability.workerMetricsPort === undefined
      ? undefined
      : await startMetricsServer({
          registry: metrics.registry,
          host: config.server.host,
          port: observability.workerMetricsPort,
          token: observability.metricsToken,
        });
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      metricsUrl: metricsServer?.url,
      temporalMetricsAddress: observability.temporalMetricsBindAddress,
    },
    'worker started',
  );
  // Worker.run() drains in-flight tasks on SIGINT/SIGTERM before it resolves; metrics stay scrapable meanwhile.
  await worker.run();
  await metricsServer?.close();
  await connection.close();
  await db.$disconnect();
  logger.info('worker stopped');
});
