import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDb, type Db } from '../../db/client';
import { migrate } from '../../db/migrate';
import { startEmbeddedPostgres } from '../../local/embedded-postgres';

export interface TestDatabase {
  url: string;
  db: Db;
  kind: 'postgresql' | 'pglite';
  drop(): Promise<void>;
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
  const url = withDatabase(adminUrl, name);
  await migrate(url, options.migrationsDir);
  const db = createDb(url, { poolMax: 5 });
  return {
    url,
    db,
    kind: 'postgresql',
    drop: async () => {
      await db.$disconnect();
      const cleanup = new Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
