/**
 * Attempts per client address on the portal's doors (sign in, registration,
 * password reset), counted in a sliding window in this process's memory. It
 * slows down guessing from one address without telling anyone whether an
 * email, a last name or a date of birth is on file: the answer is the same
 * "too many attempts" whatever was tried. Per-account and per-link lockouts
 * (portal-sessions.ts, register-portal-account.ts) still apply on top.
 *
 * In memory: with several API instances each counts its own share, which
 * multiplies the limit by the number of instances (documented in the README).
 */
export interface RateLimiter {
  /** Counts an attempt; false when the address is over its limit (the attempt should be refused). */
  attempt(key: string, now?: number): boolean;
}

export function createRateLimiter(options: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const hits = new Map<string, number[]>();
  const maxKeys = options.maxKeys ?? 100_000;
  return {
    attempt(key, now = Date.now()) {
      const since = now - options.windowMs;
      const recent = (hits.get(key) ?? []).filter((at) => at > since);
      if (recent.length >= options.limit) {
        hits.set(key, recent);
        return false;
      }
      recent.push(now);
      // Forget the oldest address when full, so a flood of addresses cannot exhaust memory.
      if (!hits.has(key) && hits.size >= maxKeys) hits.delete(hits.keys().next().value!);
      hits.delete(key);
      hits.set(key, recent);
      return true;
    },
  };
}
