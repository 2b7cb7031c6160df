/** `npm run db:migrate`: applies prisma/migrations to DATABASE_URL. */
import { z } from 'zod';
import { migrate } from '../db/migrate';
import { runMain } from './run-main';
import { ConfigError } from '../config/env';

runMain(async () => {
  const url = z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .safeParse(process.env.DATABASE_URL);
  if (!url.success) throw new ConfigError(['DATABASE_URL is required (a postgresql:// connection string)']);
  const result = await migrate(url.data);
  process.stdout.write(
    `applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(', ')}` : ''}; ` +
      `${result.alreadyApplied.length} already applied\n`,
  );
});
