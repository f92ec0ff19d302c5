import { isIP } from 'node:net';

/**
 * `restrictSources`: a list (separated by `;` or `,`) of IPv4 addresses or CIDR ranges
 * (`192.168.1.0/24`), or IPv6 addresses (exact). Whether `ip` is one of them.
 */
export function sourceAllowed(restrictSources: string, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return restrictSources
    .split(/[;,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .some((source) => inSource(source, address));
}

function inSource(source: string, ip: string): boolean {
  const [base = '', bitsText, ...extra] = source.split('/');
  if (extra.length > 0) return false;
  if (isIP(base) === 4 && isIP(ip) === 4) {
    // Digits only: Number('') is 0, and a "/0" read from a typo would allow every address.
    if (bitsText !== undefined && !/^\d{1,2}$/.test(bitsText)) return false;
    const bits = bitsText === undefined ? 32 : Number(bitsText);
    if (bits > 32) return false;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return (ipv4(base) & mask) >>> 0 === (ipv4(ip) & mask) >>> 0;
  }
  return bitsText === undefined && isIP(base) === 6 && base.toLowerCase() === ip.toLowerCase();
}

function ipv4(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}
