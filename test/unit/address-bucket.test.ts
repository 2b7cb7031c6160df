import { addressBucket } from '../../security/address-bucket';

describe('rate-limit buckets by client address (issue 14, item 3)', () => {
  it('counts every address of one IPv6 /64 together, however it is written', () => {
    const bucket = '2001:db8:85a3:8d3::/64';
    expect(addressBucket('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe(bucket);
    expect(addressBucket('2001:0db8:85a3:08d3:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(addressBucket('2001:db8:85a3:8d3::1')).toBe(bucket);
    expect(addressBucket('2001:DB8:85A3:8D3::')).toBe(bucket);
  });

  it('keeps other /64s apart, and fills in :: shorthand before the fourth group', () => {
    expect(addressBucket('2001:db8:85a3:8d4::1')).toBe('2001:db8:85a3:8d4::/64');
    expect(addressBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressBucket('::1')).toBe('0:0:0:0::/64');
    expect(addressBucket('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('counts IPv4 by the address, also when written as IPv6', () => {
    expect(addressBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressBucket('203.0.113.8')).not.toBe(addressBucket('203.0.113.7'));
    expect(addressBucket(undefined)).toBe('unknown');
  });
});
