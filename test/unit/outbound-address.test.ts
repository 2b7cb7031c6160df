/**
 * The address classifier behind EHR callbacks (issue 14, item 8): every range
 * a callback must not reach, in both families and in the IPv6 forms that
 * carry an IPv4 address, and the lookup that applies it when connecting.
 */
import type { LookupAddress } from 'node:dns';
import { isForbiddenAddress } from '../../security/outbound-address';
import { guardedLookup } from '../../security/outbound-request';

it.each([
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', '"this network"'],
  ['10.0.0.1', 'RFC 1918 10/8'],
  ['10.255.255.255', 'RFC 1918 10/8, last'],
  ['100.64.0.1', 'CGNAT 100.64/10'],
  ['100.127.255.255', 'CGNAT 100.64/10, last'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback /8'],
  ['169.254.0.1', 'link-local'],
  ['169.254.169.254', 'cloud metadata'],
  ['172.16.0.1', 'RFC 1918 172.16/12'],
  ['172.31.255.255', 'RFC 1918 172.16/12, last'],
  ['192.0.0.170', 'IETF protocol assignments'],
  ['192.0.2.1', 'documentation'],
  ['192.168.1.1', 'RFC 1918 192.168/16'],
  ['198.18.0.1', 'benchmarking'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.7', 'documentation'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::', 'IPv6 unspecified'],
  ['::1', 'IPv6 loopback'],
  ['0:0:0:0:0:0:0:1', 'IPv6 loopback, long form'],
  ['::7f00:1', 'IPv4-compatible loopback'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
  ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped metadata, long form'],
  ['::ffff:10.1.2.3', 'IPv4-mapped RFC 1918'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
  ['2002:7f00:1::1', '6to4 of loopback'],
  ['100::1', 'discard'],
  ['2001:db8::1', 'IPv6 documentation'],
  ['fc00::1', 'unique local fc00::/7'],
  ['fd12:3456::1', 'unique local fd'],
  ['fd00:ec2::254', 'cloud metadata (IPv6)'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local with a zone'],
  ['febf::1', 'link-local fe80::/10, last'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
  ['[::1]', 'bracketed loopback'],
  ['localhost', 'not an address at all'],
  ['', 'empty'],
])('refuses %s (%s)', (address) => {
  expect(isForbiddenAddress(address)).toBe(true);
});

it.each([
  ['8.8.8.8'],
  ['1.1.1.1'],
  ['9.255.255.255'], // just below 10/8
  ['11.0.0.0'], // just above 10/8
  ['100.63.255.255'], // just below CGNAT
  ['100.128.0.0'], // just above CGNAT
  ['172.15.255.255'], // just below 172.16/12
  ['172.32.0.0'], // just above 172.16/12
  ['169.253.255.255'],
  ['192.169.0.1'],
  ['223.255.255.255'], // just below multicast
  ['2606:4700:4700::1111'],
  ['2a00:1450:4009:81d::200e'],
  ['::ffff:8.8.8.8'], // IPv4-mapped public
  ['64:ff9b::808:808'], // NAT64 of a public address
  ['fbff::1'], // just below fc00::/7
  ['fe7f::1'], // just below fe80::/10
])('allows the public address %s', (address) => {
  expect(isForbiddenAddress(address)).toBe(false);
});

/** What guardedLookup answers for `hostname`, asked the way net.connect asks. */
function lookUp(hostname: string, all: boolean): Promise<{ code?: string; addresses?: LookupAddress[] | string }> {
  return new Promise((resolve) => {
    guardedLookup(hostname, { all }, (error, addresses) => {
      resolve(error ? { code: error.code! } : { addresses });
    });
  });
}

it('refuses at lookup a name that resolves to loopback, however net.connect asks', async () => {
  expect(await lookUp('localhost', true)).toEqual({ code: 'EREFUSEDTARGET' });
  expect(await lookUp('localhost', false)).toEqual({ code: 'EREFUSEDTARGET' });
});
