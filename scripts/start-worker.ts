/** Production worker: `npm run start:worker`. Configured by environment variables only. */
import { createActivities } from '../activities';
import { createMailer } from '../emails/mailer';
import { loadConfig } from '../config/env';
import { createDb } from '../db/client';
import { createLogger } from '../observability/logger';
import { connectWorker } from '../temporal/connection';
import { createOnboardingWorker } from '../temporal/worker';
import { runMain } from './run-main';

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, name: 'worker' });
  const db = createDb(config.database.url, { poolMax: config.database.poolMax });
  const connection = await connectWorker(config.temporal);
  const worker = await createOnboardingWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: createActivities({
      db,
      mailer: createMailer(config.email),
      tokenSigningKey: config.tokenSigningKey,
      publicBaseUrl: config.server.publicBaseUrl,
    }),
    payloadKeys: config.payloadKeys,
  });
  logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  // Worker.run() drains in-flight tasks on SIGINT/SIGTERM before it resolves.
  await worker.run();
  await connection.close();
  await db.$disconnect();
  logger.info('worker stopped');
});
