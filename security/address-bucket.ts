import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client address is rate-limited under. One IPv6 customer usually
 * holds a whole /64 (often far more) and can pick a fresh address for every
 * request, so IPv6 addresses are counted by their /64; IPv4 addresses, and
 * IPv4 written as IPv6 (`::ffff:203.0.113.7`), by the address itself.
 */
export function addressBucket(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  return `${firstFourGroups(ip)}::/64`;
}

/** The first 64 bits of an IPv6 address as four hex groups, whatever `::` shorthand it was written in. */
function firstFourGroups(ip: string): string {
  const [head = '', tail] = ip.toLowerCase().split('::');
  const front = head ? head.split(':') : [];
  const back = tail === undefined ? [] : tail ? tail.split(':') : [];
  // An embedded IPv4 tail (a.b.c.d) fills two groups.
  const width = (groups: string[]) => groups.reduce((sum, group) => sum + (group.includes('.') ? 2 : 1), 0);
  const missing = tail === undefined ? 0 : 8 - width(front) - width(back);
  const groups = [...front, ...Array<string>(missing).fill('0'), ...back];
  return groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':');
}
