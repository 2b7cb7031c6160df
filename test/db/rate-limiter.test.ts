/**
 * The rate limits on sign-in, registration and password reset are counted in
 * the database (security/rate-limiter.ts), so every API instance shares one
 * count: two limiters over two connection pools, as two processes would have,
 * let one address through `limit` times in all, even when they race; the count
 * resets once a quiet window has passed; and no address is stored.
 */
import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '../../db/client';
import { createRateLimiter, type RateLimiter } from '../../security/rate-limiter';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const LIMIT = 20;
const WINDOW_MS = 5 * 60 * 1000;
/** A window start well away from the clock, so nothing else counts in it. */
const T = Date.UTC(2031, 0, 1, 12, 0, 0);
const keySecret = randomBytes(32);

let database: TestDatabase;
/** A second connection pool on the same database: another API process. */
let otherProcess: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  otherProcess = createDb(database.url, { poolMax: database.kind === 'pglite' ? 1 : 5 });
});

afterAll(async () => {
  await otherProcess?.$disconnect();
  await database?.drop();
});

function limiter(db: Db, name = 'portal-doors'): RateLimiter {
  return createRateLimiter(db, { name, limit: LIMIT, windowMs: WINDOW_MS, keySecret });
}

/** A client address of its own for each test. */
function address(): string {
  const bytes = randomBytes(3);
  return `198.51.${bytes[0]}.${bytes[1]}`;
}

async function attempts(on: RateLimiter, key: string, count: number, now: number): Promise<boolean[]> {
  const results: boolean[] = [];
  for (let attempt = 0; attempt < count; attempt += 1) results.push(await on.attempt(key, now));
  return results;
}

const allowed = (results: boolean[]) => results.filter(Boolean).length;

it('shares one count between two API instances', async () => {
  const [one, two] = [limiter(database.db), limiter(otherProcess)];
  const ip = address();
  expect(allowed(await attempts(one, ip, 12, T + 1000))).toBe(12);
  expect(allowed(await attempts(two, ip, 8, T + 2000))).toBe(8);
  // The limit is reached in all: the next attempt is refused whichever instance it reaches.
  expect(await two.attempt(ip, T + 3000)).toBe(false);
  expect(await one.attempt(ip, T + 3000)).toBe(false);
  // Another address, and another limit for the same address, count apart.
  expect(await one.attempt(address(), T + 3000)).toBe(true);
  expect(await limiter(otherProcess, 'staff-sign-in').attempt(ip, T + 3000)).toBe(true);
});

it('lets exactly the limit through when both instances race', async () => {
  const [one, two] = [limiter(database.db), limiter(otherProcess)];
  const ip = address();
  const results = await Promise.all(
    Array.from({ length: 2 * LIMIT }, (_, index) => (index % 2 ? one : two).attempt(ip, T + 1000)),
  );
  expect(allowed(results)).toBe(LIMIT);
});

it('resets once a window has passed without attempts', async () => {
  const [one, two] = [limiter(database.db), limiter(otherProcess)];
  const ip = address();
  expect(allowed(await attempts(one, ip, LIMIT + 1, T))).toBe(LIMIT);
  expect(await two.attempt(ip, T + WINDOW_MS - 1)).toBe(false);
  // Halfway through the next window, half of the last window still counts: a few attempts again, not a full limit.
  const halfway = await attempts(two, ip, LIMIT, T + 1.5 * WINDOW_MS);
  expect(allowed(halfway)).toBeGreaterThan(0);
  expect(allowed(halfway)).toBeLessThan(LIMIT);
  // After a window with no attempts, the whole limit again.
  const fresh = address();
  expect(allowed(await attempts(one, fresh, LIMIT + 1, T))).toBe(LIMIT);
  expect(allowed(await attempts(two, fresh, LIMIT + 1, T + 2 * WINDOW_MS))).toBe(LIMIT);
});

it('does not let a second burst through just after a window boundary', async () => {
  const [one, two] = [limiter(database.db), limiter(otherProcess)];
  const ip = address();
  expect(allowed(await attempts(one, ip, LIMIT, T + WINDOW_MS - 1000))).toBe(LIMIT);
  expect(allowed(await attempts(two, ip, LIMIT, T + WINDOW_MS + 1000))).toBe(0);
});

it('stores no address, and deletes windows that can no longer count', async () => {
  const { db } = database;
  const ip = address();
  const one = limiter(db);
  await one.attempt(ip, T + 10 * WINDOW_MS);
  const rows = await db.$queryRaw<{ key_hash: string; window_start: Date; hits: number }[]>`
    SELECT key_hash, window_start, hits FROM rate_limit_bucket`;
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) {
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(ip);
  }
  expect(JSON.stringify(rows)).not.toContain('198.51.');

  // Two windows on, the first instance to count anything deletes every window that has stopped counting.
  await limiter(db).attempt(address(), T + 12 * WINDOW_MS);
  const left = await db.$queryRaw<{ window_start: Date }[]>`SELECT window_start FROM rate_limit_bucket`;
  expect(left.map((row) => row.window_start.getTime()).filter((start) => start < T + 11 * WINDOW_MS)).toEqual([]);
});

it('forgives an attempt taken back, and never below nothing', async () => {
  const one = limiter(database.db);
  const ip = address();
  expect(allowed(await attempts(one, ip, LIMIT, T + 1000))).toBe(LIMIT);
  await one.forgive(ip, T + 1000);
  // One taken back: one more fits, then the limit holds again.
  expect(await one.attempt(ip, T + 2000)).toBe(true);
  expect(await one.attempt(ip, T + 2000)).toBe(false);
  const fresh = address();
  await one.forgive(fresh, T + 1000);
  await one.forgive(fresh, T + 1000);
  expect(allowed(await attempts(one, fresh, LIMIT + 1, T + 1000))).toBe(LIMIT);
});
