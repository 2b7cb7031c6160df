import { hashToken, safeEqual } from '../security/tokens';

const BEARER = /^Bearer (\S+)$/;

/**
 * Whether an Authorization header carries the metrics token. Compared as
 * hashes in constant time, so neither the token nor its length leaks
 * through response timing.
 */
export function hasMetricsToken(authorization: string | undefined, token: string): boolean {
  const presented = BEARER.exec(authorization ?? '')?.[1];
  return presented !== undefined && safeEqual(hashToken(presented), hashToken(token));
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (how a dual-stack socket reports 127.0.0.1). */
export function isLoopback(ip: string | undefined): boolean {
  if (!ip) return false;
  return ip === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(ip);
}
