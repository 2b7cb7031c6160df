import { isIP, isIPv4 } from 'node:net';

/**
 * Whether an address is one an outbound request made on a practice's say-so
 * (an EHR callback URL) must never reach: this machine, the private network
 * it sits in, the cloud's metadata service, and addresses no public server
 * has. A URL is only a name; the address it resolves to is what is checked.
 */

/** [first address, prefix length] of the IPv4 ranges that are not the public internet. */
const FORBIDDEN_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network", including the unspecified 0.0.0.0
  ['10.0.0.0', 8], // RFC 1918
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, including the metadata service 169.254.169.254
  ['172.16.0.0', 12], // RFC 1918
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // RFC 1918
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including broadcast 255.255.255.255
];

/** The same for IPv6 (ranges that embed an IPv4 address are judged by it, below). */
const FORBIDDEN_V6: readonly [string, number][] = [
  ['::', 96], // unspecified, loopback ::1 and the deprecated IPv4-compatible form
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local, including the metadata service fd00:ec2::254
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some stacks)
  ['ff00::', 8], // multicast
];

function v4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address (zone id dropped; a trailing dotted quad allowed). */
function v6Bytes(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    tail.push(...v4Bytes(dotted[1]!));
    text = `${text.slice(0, -dotted[1]!.length)}0:0`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').filter((group) => group !== '') : []);
  const left = groups(head);
  const right = groups(rest);
  const words =
    rest === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = words.flatMap((word) => {
    const value = parseInt(word, 16);
    return [value >> 8, value & 0xff];
  });
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function inRange(bytes: number[], base: number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 1) {
    const mask = 0x80 >> (bit % 8);
    if ((bytes[bit >> 3]! & mask) !== (base[bit >> 3]! & mask)) return false;
  }
  return true;
}

const V4_RANGES = FORBIDDEN_V4.map(([base, prefix]) => [v4Bytes(base), prefix] as const);
const V6_RANGES = FORBIDDEN_V6.map(([base, prefix]) => [v6Bytes(base), prefix] as const);

function forbiddenV4(bytes: number[]): boolean {
  return V4_RANGES.some(([base, prefix]) => inRange(bytes, base, prefix));
}

/** The IPv4 address an IPv6 one carries and is delivered to, if any. */
function embeddedV4(bytes: number[]): number[] | null {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  // IPv4-mapped ::ffff:a.b.c.d: the socket talks IPv4 to a.b.c.d.
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  // NAT64 64:ff9b::a.b.c.d: the translator forwards to a.b.c.d.
  if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) {
    return bytes.slice(12);
  }
  // 6to4 2002:a.b.c.d::/48: the relay forwards to a.b.c.d.
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

/** True for an address an outbound callback must not reach, and for anything that is not an IP address. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIPv4(bare)) return forbiddenV4(v4Bytes(bare));
  if (isIP(bare.split('%')[0]!) !== 6) return true;
  const bytes = v6Bytes(bare);
  const v4 = embeddedV4(bytes);
  if (v4) return forbiddenV4(v4);
  return V6_RANGES.some(([base, prefix]) => inRange(bytes, base, prefix));
}
