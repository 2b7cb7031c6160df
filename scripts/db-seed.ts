/** `npm run db:seed`: loads the demo organisation into DATABASE_URL (idempotent). */
import { z } from 'zod';
import { ConfigError, loadSecretsKeys } from '../config/env';
import { createDb } from '../db/client';
import { DEMO, seedDemo } from '../prisma/seed';
import { createSecretBox } from '../security/secret-box';
import { runMain } from './run-main';

runMain(async () => {
  const url = z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .safeParse(process.env.DATABASE_URL);
  if (!url.success) throw new ConfigError(['DATABASE_URL is required (a postgresql:// connection string)']);
  // The demo integration's secret is stored encrypted, like every integration secret.
  const secretBox = createSecretBox(loadSecretsKeys());
  const db = createDb(url.data, { poolMax: 1 });
  await seedDemo(db, { secretBox });
  await db.$disconnect();
  process.stdout.write(`demo organisation ${DEMO.organizationId} seeded\n`);
});
