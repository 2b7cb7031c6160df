/**
 * What every benchmark needs besides its own measurements: messages on
 * stderr (stdout's last line is the JSON result), the stack of things it
 * started and stops in reverse, a throw-away database, and percentiles.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client as PgClient } from 'pg';
import { startEmbeddedPostgres } from '../local/embedded-postgres';

/** Something the bench started, and how to stop it. */
export interface Stage {
  name: string;
  stop: () => Promise<unknown>;
}

export interface BenchDatabase {
  url: string;
  kind: 'pglite' | 'postgresql';
  poolMax: number;
}

export interface Figures {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Progress and problems go to stderr, so the JSON on stdout stays machine-readable. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A mistake on the command line: worth its message, not a stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Nearest-rank percentile of ascending `sorted`; null when there is nothing to rank. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

export function summarize(values: readonly number[], decimals = 0): Figures {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number | null) => (value === null ? null : Number(value.toFixed(decimals)));
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(percentile(sorted, 100)),
  };
}

/**
 * A fresh database per run (PGlite in memory, or `<prefix>_<random>` on
 * BENCH_DATABASE_URL's server), so row counts are the same every time and
 * nothing of another engineer's is touched. Dropped when the stack stops.
 */
export async function provisionDatabase(stack: Stage[], prefix: string): Promise<BenchDatabase> {
  const adminUrl = process.env.BENCH_DATABASE_URL;
  if (!adminUrl) {
    const postgres = await startEmbeddedPostgres();
    stack.push({ name: 'PGlite', stop: () => postgres.stop() });
    // PGlite is a single session: two busy connections would mix their transactions.
    return { url: postgres.url, kind: 'pglite', poolMax: 1 };
  }

  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new PgClient({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  stack.push({
    name: `database ${name}`,
    stop: async () => {
      const dropper = new PgClient({ connectionString: adminUrl });
      await dropper.connect();
      try {
        // FORCE: a connection the pool failed to close must not leave the database behind.
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), kind: 'postgresql', poolMax: 10 };
}

/** Stops what was started, last first; false if anything did not stop cleanly (said on stderr). */
export async function stopAll(stack: Stage[]): Promise<boolean> {
  let clean = true;
  for (const stage of stack.splice(0).reverse()) {
    try {
      await stage.stop();
    } catch (error) {
      clean = false;
      say(`  ${stage.name} did not stop cleanly: ${message(error)}`);
    }
  }
  return clean;
}

/** A TCP port free right now on this machine, for a process that must be told its port before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
