/**
 * Attempts per client address on the portal's and the dashboard's doors
 * (sign in, registration, password reset). It slows down guessing from one
 * address without telling anyone whether an email, a last name or a date of
 * birth is on file: the answer is the same "too many attempts" whatever was
 * tried. Per-account and per-link lockouts (portal-sessions.ts,
 * register-portal-account.ts, login-lockout.ts) still apply on top.
 *
 * Counted in PostgreSQL (table rate_limit_bucket), so every API instance
 * shares one count: N instances do not multiply the limit. Each attempt is one
 * statement: an atomic `INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1`
 * on the current fixed window, which also reads the previous window. The
 * estimate of the last `windowMs` is the current window's count plus the
 * previous one's weighted by how much of it still overlaps (a sliding
 * window), so a burst straddling two windows cannot get twice the limit
 * through. Refused attempts count too, capped just over the limit, so that
 * an address that keeps knocking stays refused while it knocks, and is let in
 * again within about a window once it stops.
 *
 * The key is stored as an HMAC-SHA256 (under a server secret) of the limit's
 * name and the address, never the address: an IPv4 address space is small
 * enough to reverse a plain hash. Windows are deleted once they can no
 * longer count (two windows on), by whichever instance next notices.
 */
import { createHmac } from 'node:crypto';
import type { Db } from '../db/client';

export interface RateLimiter {
  /** Counts an attempt; false when the address is over its limit (the attempt should be refused). */
  attempt(key: string, now?: number): Promise<boolean>;
  /** Takes back one attempt of the current window: for attempts that proved harmless (the right password). */
  forgive(key: string, now?: number): Promise<void>;
}

export interface RateLimiterOptions {
  /** Which limit this is: limits with different names never share counts. */
  name: string;
  /** Attempts allowed per window. */
  limit: number;
  windowMs: number;
  /** The server secret keys are HMAC'd under (derived from TOKEN_SIGNING_KEY). */
  keySecret: Buffer;
}

export function createRateLimiter(db: Db, options: RateLimiterOptions): RateLimiter {
  const { limit, windowMs } = options;
  // A refused attempt still counts, up to here: enough to stay refused, not to stay refused for ever.
  const cap = limit + 1;
  let prunedAt = 0;

  const hashOf = (key: string) =>
    createHmac('sha256', options.keySecret).update(`rate-limit:${options.name}\0${key}`).digest('hex');

  return {
    async attempt(key, now = Date.now()) {
      const start = Math.floor(now / windowMs) * windowMs;
      const windowStart = new Date(start);
      const previousStart = new Date(start - windowMs);
      const expiresAt = new Date(start + 2 * windowMs);
      const keyHash = hashOf(key);
      const [row] = await db.$queryRaw<{ current: number; previous: number }[]>`
        WITH hit AS (
          INSERT INTO rate_limit_bucket (key_hash, window_start, hits, expires_at)
          VALUES (${keyHash}, ${windowStart}, 1, ${expiresAt})
          ON CONFLICT (key_hash, window_start)
            DO UPDATE SET hits = LEAST(rate_limit_bucket.hits + 1, ${cap}::int)
          RETURNING hits
        )
        SELECT hit.hits AS current,
          COALESCE(
            (SELECT hits FROM rate_limit_bucket WHERE key_hash = ${keyHash} AND window_start = ${previousStart}),
            0
          ) AS previous
        FROM hit`;
      if (now - prunedAt >= windowMs) {
        prunedAt = now;
        await db.$executeRaw`DELETE FROM rate_limit_bucket WHERE expires_at <= ${new Date(now)}`;
      }
      const overlap = (windowMs - (now - start)) / windowMs;
      return row!.current + row!.previous * overlap <= limit;
    },

    async forgive(key, now = Date.now()) {
      const windowStart = new Date(Math.floor(now / windowMs) * windowMs);
      await db.$executeRaw`
        UPDATE rate_limit_bucket SET hits = GREATEST(hits - 1, 0)
        WHERE key_hash = ${hashOf(key)} AND window_start = ${windowStart}`;
    },
  };
}

/** The key rate limits HMAC addresses under: TOKEN_SIGNING_KEY with a purpose label of its own. */
export function rateLimitKeySecret(tokenSigningKey: Buffer): Buffer {
  return createHmac('sha256', tokenSigningKey).update('rate-limit-keys').digest();
}
