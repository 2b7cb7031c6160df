import { Client, escapeIdentifier, escapeLiteral } from 'pg';

/** The group role the migrations grant the service's privileges to (see the *_service_role migration). */
export const SERVICE_GROUP_ROLE = 'portal_service';

/**
 * Concurrent callers on one database (two deploys) create or alter the role one
 * at a time instead of failing with "tuple concurrently updated". Advisory
 * locks are per database while roles are per server: callers on different
 * databases of one server (test files) pass the same owner URL.
 */
const ROLE_LOCK_KEY = 72707370;

export type ServiceLogin =
  { kind: 'owner'; user: string } | { kind: 'service'; user: string; created: boolean; passwordSet: boolean };

function userOf(url: string): string {
  const user = decodeURIComponent(new URL(url).username);
  return user || 'postgres';
}

/**
 * Makes the user of `serviceUrl` a login member of portal_service, using the
 * owner's connection: created if missing, its password set to the one in the
 * URL (so rotating it is: change DATABASE_URL, run db:migrate). Nothing is done
 * when both URLs name the same user: the service then runs as the owner, which
 * the caller reports, because the owner can disable the trails' triggers.
 *
 * Must run after the migrations (they create portal_service).
 */
export async function ensureServiceLogin(ownerUrl: string, serviceUrl: string): Promise<ServiceLogin> {
  const user = userOf(serviceUrl);
  if (user === userOf(ownerUrl)) return { kind: 'owner', user };
  const password = decodeURIComponent(new URL(serviceUrl).password);
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [ROLE_LOCK_KEY]);
    const { rows } = await client.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [
      user,
    ]);
    const existing = rows[0];
    if (existing?.rolsuper) {
      throw new Error(`DATABASE_URL's user "${user}" is a superuser: the service must log in as a plain role`);
    }
    const owned = await client.query(
      "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1 LIMIT 1",
      [user],
    );
    if (owned.rowCount) {
      throw new Error(
        `DATABASE_URL's user "${user}" owns tables: the service must not be the owner (DATABASE_MIGRATE_URL)`,
      );
    }
    const role = escapeIdentifier(user);
    const passwordClause = password ? ` PASSWORD ${escapeLiteral(password)}` : '';
    if (!existing) {
      await client.query(
        `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT${passwordClause}`,
      );
    } else if (password) {
      await client.query(`ALTER ROLE ${role} WITH LOGIN${passwordClause}`);
    }
    await client.query(`GRANT ${escapeIdentifier(SERVICE_GROUP_ROLE)} TO ${role}`);
    await client.query('COMMIT');
    return { kind: 'service', user, created: !existing, passwordSet: Boolean(password) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
