/**
 * Counts the round trips a piece of work costs: SQL statements sent to
 * PostgreSQL (every `query` of node-postgres, BEGIN and COMMIT included, since
 * each is a trip to the server) and calls of the Temporal client (gRPC
 * methods). The benches run the API and the worker in their own process, so
 * counting at the driver sees every statement either of them sends.
 *
 * Counting patches node-postgres's Client.prototype.query. It is for the
 * benches only: a monkey-patch is the one hook that sees the statements of
 * Prisma's driver adapter without changing the code being measured.
 */
import { type Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import pg from 'pg';

type Interceptor = NonNullable<NonNullable<Parameters<typeof Connection.connect>[0]>['interceptors']>[number];

export interface RoundTrips {
  sql: number;
  temporal: number;
  /** Temporal calls by method name, e.g. StartWorkflowExecution. */
  temporalByMethod: Record<string, number>;
}

const counts: RoundTrips = { sql: 0, temporal: 0, temporalByMethod: {} };
let patched = false;

/** From now on every statement of node-postgres in this process is counted. */
export function countSqlStatements(): void {
  if (patched) return;
  patched = true;
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  // BENCH_SQL_LOG=1: each statement's text on stderr, to see what a count is made of.
  const log = process.env.BENCH_SQL_LOG === '1';
  prototype.query = function countedQuery(this: unknown, ...args: unknown[]) {
    counts.sql += 1;
    if (log) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      process.stderr.write(`sql: ${String(text).replace(/\s+/g, ' ').slice(0, 240)}\n`);
    }
    return query.apply(this, args);
  };
}

/** gRPC interceptors for a Temporal Connection that count each call (keeping the SDK's retries). */
export function countingInterceptors(): Interceptor[] {
  const counter: Interceptor = (options, nextCall) => {
    const method = String(options.method_definition.path).split('/').pop() ?? 'unknown';
    counts.temporal += 1;
    counts.temporalByMethod[method] = (counts.temporalByMethod[method] ?? 0) + 1;
    // nextCall's call is what the next interceptor gets; grpc-js types it as the interface only.
    return nextCall(options) as ReturnType<Interceptor>;
  };
  return [counter, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())];
}

/** What was counted so far (a copy). */
export function roundTrips(): RoundTrips {
  return { sql: counts.sql, temporal: counts.temporal, temporalByMethod: { ...counts.temporalByMethod } };
}

/** What was counted between two readings. */
export function since(before: RoundTrips): RoundTrips {
  const now = roundTrips();
  const temporalByMethod: Record<string, number> = {};
  for (const [method, n] of Object.entries(now.temporalByMethod)) {
    const delta = n - (before.temporalByMethod[method] ?? 0);
    if (delta > 0) temporalByMethod[method] = delta;
  }
  return { sql: now.sql - before.sql, temporal: now.temporal - before.temporal, temporalByMethod };
}
