import { describe, expect, it } from 'vitest';
import { sourceAllowed } from './sources';

describe('sourceAllowed (restrictSources)', () => {
  it('matches IPv4 addresses and CIDR ranges, IPv4-mapped IPv6 included, IPv6 exactly', () => {
    expect(sourceAllowed('192.168.1.0/24', '192.168.1.77')).toBe(true);
    expect(sourceAllowed('192.168.1.0/24', '::ffff:192.168.1.77')).toBe(true);
    expect(sourceAllowed('192.168.1.0/24', '192.168.2.1')).toBe(false);
    expect(sourceAllowed('10.0.0.1', '10.0.0.1')).toBe(true);
    expect(sourceAllowed('10.0.0.1', '10.0.0.2')).toBe(false);
    expect(sourceAllowed('0.0.0.0/0', '8.8.8.8')).toBe(true);
    expect(sourceAllowed('10.0.0.0/8;192.168.0.0/16', '192.168.3.4')).toBe(true);
    expect(sourceAllowed('::1', '::1')).toBe(true);
    expect(sourceAllowed('10.0.0.0/8', undefined)).toBe(false);
  });

  it('treats a malformed prefix length as matching nothing (an empty one read as /0 allowed every address)', () => {
    for (const source of [
      '192.168.1.0/',
      '192.168.1.0/ ',
      '192.168.1.0/x',
      '192.168.1.0/33',
      '192.168.1.0/-1',
      '192.168.1.0/8/8',
      '192.168.1.0/1e1',
    ]) {
      expect(sourceAllowed(source, '8.8.8.8'), source).toBe(false);
    }
  });
});
