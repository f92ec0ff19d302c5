/** For tests of what strings the engine keeps: how V8 holds a string. */
import { serialize } from 'node:v8';

/** v8.serialize tags a one-byte string `"`, a two-byte one `c` (after padding). */
export function representation(s: string): 'one-byte' | 'two-byte' {
  const bytes = serialize(s);
  let at = 2; // after the version header
  while (bytes[at] === 0) at++; // padding before a two-byte string
  return bytes[at] === 0x22 ? 'one-byte' : 'two-byte';
}
