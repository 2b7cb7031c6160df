/**
 * `npm run db:migrate`: applies prisma/migrations as the owner
 * (DATABASE_MIGRATE_URL, else DATABASE_URL), then makes DATABASE_URL's user a
 * login member of portal_service when it is a different user: the service
 * then inserts into the audit trail but can never rewrite it.
 */
import { migrate } from '../db/migrate';
import { ensureServiceLogin } from '../db/service-role';
import { runMain } from './run-main';
import { loadMigrationConfig } from '../config/env';

runMain(async () => {
  const { migrateUrl, serviceUrl } = loadMigrationConfig();
  const result = await migrate(migrateUrl);
  process.stdout.write(
    `applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(', ')}` : ''}; ` +
      `${result.alreadyApplied.length} already applied\n`,
  );
  const login = await ensureServiceLogin(migrateUrl, serviceUrl);
  process.stdout.write(
    login.kind === 'owner'
      ? `warning: the service connects as the owner "${login.user}", which can disable the audit trail's triggers; ` +
          'set DATABASE_MIGRATE_URL to the owner and DATABASE_URL to a separate user\n'
      : `service role: "${login.user}" ${login.created ? 'created' : 'updated'} as a member of portal_service\n`,
  );
});
