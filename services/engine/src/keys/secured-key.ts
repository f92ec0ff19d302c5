import { createHmac, timingSafeEqual } from 'node:crypto';
import { coerceSearchParam } from './search-params';

/**
 * Secured API keys: `base64(hex(HMAC-SHA256(parentKey, restrictions)) + restrictions)`, where
 * `restrictions` is a query string.
 */

/** What a secured key restricts, decoded. */
export interface SecuredRestrictions {
  /** Filters ANDed with every query (a `filters` string, not yet parsed). */
  filters?: string;
  /** Unix seconds after which the key stops working; `NaN` when the key carries a non-number. */
  validUntil?: number;
  /** Index name patterns (`*` wildcards) the key may query; present but empty allows none. */
  restrictIndices?: string[];
  /** IPv4 address or range (`192.168.1.0/24`) the key may be used from. */
  restrictSources?: string;
  userToken?: string;
  /** Every other parameter: forced on every request made with the key. */
  searchParams: Record<string, unknown>;
}

/** Serialises parameters exactly like algoliasearch v5's `serializeQueryParameters`. */
function serializeQueryParameters(parameters: Record<string, unknown>): string {
  return Object.keys(parameters)
    .filter((key) => parameters[key] !== undefined)
    .sort()
    .map((key) => {
      const value = parameters[key];
      const text = Array.isArray(value) ? value.join(',') : String(value);
      return `${key}=${encodeURIComponent(text).replace(/\+/g, '%20')}`;
    })
    .join('&');
}

/**
 * Generates a secured API key exactly as algoliasearch v5's Node build does: `searchParams`
 * merged to the top level, keys sorted, arrays comma-joined, values `encodeURIComponent`-ed.
 */
export function generateSecuredApiKey(parentKey: string, restrictions: Record<string, unknown>): string {
  let merged: Record<string, unknown> = restrictions;
  const searchParams = restrictions['searchParams'];
  if (searchParams) {
    merged = { ...restrictions, ...(searchParams as Record<string, unknown>) };
    delete merged['searchParams'];
  }
  const query = serializeQueryParameters(merged);
  const hmac = createHmac('sha256', parentKey).update(query).digest('hex');
  return Buffer.from(hmac + query).toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;

/**
 * Verifies a secured API key against each candidate parent (timing-safe, over the restriction
 * bytes as received: other SDKs encode differently) and decodes its restrictions. Returns
 * `undefined` when the key is malformed (a repeated parameter included) or no candidate signed it.
 */
export function decodeSecuredApiKey(
  key: string,
  parentCandidates: readonly string[],
): { parentKey: string; restrictions: SecuredRestrictions } | undefined {
  if (key.length < 88 || !BASE64.test(key)) return undefined;
  const bytes = Buffer.from(key, 'base64');
  // Node's decoder ignores spare bits and missing padding, so several strings would decode to one
  // key: accept only the canonical (padded) spelling, so one key has one identity (cache, logs).
  if (bytes.length < 64 || bytes.toString('base64') !== key) return undefined;
  const hex = bytes.subarray(0, 64).toString('latin1');
  if (!HEX64.test(hex)) return undefined;
  const mac = Buffer.from(hex, 'hex');
  const signed = bytes.subarray(64);
  let parentKey: string | undefined;
  for (const candidate of parentCandidates) {
    const expected = createHmac('sha256', candidate).update(signed).digest();
    if (timingSafeEqual(expected, mac) && parentKey === undefined) parentKey = candidate;
  }
  if (parentKey === undefined) return undefined;
  const query = signed.toString('utf8');
  if (hasRepeatedParameter(query)) return undefined;
  return { parentKey, restrictions: parseRestrictions(query) };
}

/**
 * Whether a parameter name appears twice (`filters=a&filters=b`). No Algolia client writes that
 * (restrictions are an object; arrays are comma-joined), and which value should win is anyone's
 * guess — last-wins would let the second `filters` silently replace the first. Such a key is
 * refused as malformed rather than read either way.
 */
function hasRepeatedParameter(query: string): boolean {
  const seen = new Set<string>();
  for (const name of new URLSearchParams(query).keys()) {
    if (seen.has(name)) return true;
    seen.add(name);
  }
  return false;
}

function parseList(raw: string): string[] {
  const trimmed = raw.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON: a comma list after all
    }
  }
  return trimmed
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Whether decoded restrictions restrict nothing (an empty restriction string): such a key is its
 * parent under another name, which Algolia refuses ("You must apply at least one restriction").
 */
export function restrictsNothing(r: SecuredRestrictions): boolean {
  return (
    r.filters === undefined &&
    r.validUntil === undefined &&
    r.restrictIndices === undefined &&
    r.restrictSources === undefined &&
    r.userToken === undefined &&
    Object.keys(r.searchParams).length === 0
  );
}

/** Reads a restriction query string (`+` is a space too, as some SDKs encode). */
export function parseRestrictions(query: string): SecuredRestrictions {
  const restrictions: SecuredRestrictions = { searchParams: {} };
  for (const [name, value] of new URLSearchParams(query)) {
    switch (name) {
      case 'filters':
        restrictions.filters = value;
        break;
      case 'validUntil':
        // Whole or fractional seconds (some SDKs send a double); anything else reads as NaN: expired.
        restrictions.validUntil = /^\d+(?:\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
        break;
      case 'restrictIndices':
        restrictions.restrictIndices = parseList(value);
        break;
      case 'restrictSources':
        restrictions.restrictSources = value;
        break;
      case 'userToken':
        restrictions.userToken = value;
        break;
      case '':
        break;
      default:
        restrictions.searchParams[name] = coerceSearchParam(name, value);
    }
  }
  return restrictions;
}
