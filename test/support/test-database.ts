import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDb, type Db } from '../../db/client';
import { migrate } from '../../db/migrate';
import { ensureServiceLogin } from '../../db/service-role';
import { startEmbeddedPostgres } from '../../local/embedded-postgres';

export interface TestDatabase {
  /** The service's connection, as DATABASE_URL: on PostgreSQL a login member of portal_service, not the owner. */
  url: string;
  /** The service's client: what the API and the activities get. */
  db: Db;
  /** The owner's connection (migrations, and tests that play an attacker with the owner's rights). */
  ownerUrl: string;
  ownerDb: Db;
  kind: 'postgresql' | 'pglite';
  drop(): Promise<void>;
}

/**
 * The login every test file's service uses on PostgreSQL (roles are
 * per server, so one for all). PGlite serves one session whose user is the
 * owner; there the service stays the owner (npm start logs the same).
 */
const TEST_SERVICE_USER = 'portal_app_test';
const TEST_SERVICE_PASSWORD = 'portal_app_test';

function asUser(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * A fresh, migrated database for one test file. On real PostgreSQL
 * (TEST_DATABASE_URL, always set in CI) a new database on that server; without
 * it, an in-memory PGlite so `npm test` still runs on a laptop with nothing
 * installed. `migrationsDir` stops it at an older schema, to test what a
 * migration does to data already there.
 */
export async function createTestDatabase(options: { migrationsDir?: string } = {}): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres();
    await migrate(embedded.url, options.migrationsDir);
    const db = createDb(embedded.url, { poolMax: 1 });
    return {
      url: embedded.url,
      db,
      ownerUrl: embedded.url,
      ownerDb: db,
      kind: 'pglite',
      drop: async () => {
        await db.$disconnect();
        await embedded.stop();
      },
    };
  }

  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const ownerUrl = withDatabase(adminUrl, name);
  await migrate(ownerUrl, options.migrationsDir);
  // The admin URL for the role, so every test file's advisory lock is on one database (db/service-role.ts).
  await ensureServiceLogin(adminUrl, asUser(adminUrl, TEST_SERVICE_USER, TEST_SERVICE_PASSWORD));
  const url = asUser(ownerUrl, TEST_SERVICE_USER, TEST_SERVICE_PASSWORD);
  const db = createDb(url, { poolMax: 5 });
  const ownerDb = createDb(ownerUrl, { poolMax: 2 });
  return {
    url,
    db,
    ownerUrl,
    ownerDb,
    kind: 'postgresql',
    drop: async () => {
      await Promise.all([db.$disconnect(), ownerDb.$disconnect()]);
      const cleanup = new Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
