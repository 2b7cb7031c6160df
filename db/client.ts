import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { trackCommits } from './after-commit';

export type Db = PrismaClient;

export interface DbOptions {
  /** Connections in the pool. The embedded PGlite default serves one at a time. */
  poolMax?: number;
}

/**
 * Opens a Prisma client on PostgreSQL (or PGlite behind pglite-socket) through
 * the pg driver adapter: Prisma 7 then needs no native query engine.
 */
export function createDb(databaseUrl: string, options: DbOptions = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.poolMax ?? 10 });
  // After-commit hooks let the status-transition metric count committed changes only (db/after-commit.ts).
  // A burst (ten clients pressing Pay Now at once on a busy machine) can hold every pooled connection
  // for more than Prisma's default 2 s wait to start a transaction; waiting a little longer beats a 500.
  return trackCommits(new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000 } }));
}
