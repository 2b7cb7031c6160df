/** Production API: `npm run start:api`. Configured by environment variables only. */
import { startApiFromConfig } from '../app/from-config';
import { loadConfig } from '../config/env';
import { createDb } from '../db/client';
import { createLogger } from '../observability/logger';
import { connectClient } from '../temporal/connection';
import { runMain } from './run-main';

runMain(async () => {
  const config = loadConfig();
  const logger = createLogger({ level: config.server.logLevel, name: 'api' });
  const db = createDb(config.database.url, { poolMax: config.database.poolMax });
  const temporal = await connectClient(config);
  const api = await startApiFromConfig(config, { db, temporal, logger });
  logger.info({ url: api.url }, 'api listening');

  const stop = async () => {
    logger.info('api stopping');
    await api.close();
    await temporal.connection.close();
    await db.$disconnect();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
});
