/** Production worker: `npm run start:worker`. Configured by environment variables only. */
import { createWorkerFromConfig } from '../app/from-config';
import { loadConfig } from '../config/env';
import { createDb } from '../db/client';
import { createLogger } from '../observability/logger';
import { runMain } from './run-main';

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, name: 'worker' });
  const db = createDb(config.database.url, { poolMax: config.database.poolMax });
  const { worker, connection } = await createWorkerFromConfig(config, db);
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  // Worker.run() drains in-flight tasks on SIGINT/SIGTERM before it resolves.
  await worker.run();
  await connection.close();
  await db.$disconnect();
  logger.info('worker stopped');
});
