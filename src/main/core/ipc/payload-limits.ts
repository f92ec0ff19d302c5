/**
 * A structural check of an untrusted IPC payload before any schema sees it: only JSON-like
 * data (plain objects, arrays, finite numbers, strings, booleans, null, undefined), bounded in
 * size, depth and node count, without accessor properties, symbol keys or the keys that
 * pollute prototypes. Iterative, so a deeply nested payload cannot overflow the stack.
 */
export interface PayloadLimits {
  /** Approximate size: string lengths in UTF-16 units (×2) plus 8 bytes per other node. */
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxNodes: number;
}

/** Generous enough for a story body (1 MB of UTF-8), far below what could hurt main. */
export const DEFAULT_PAYLOAD_LIMITS: PayloadLimits = {
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 32,
  maxNodes: 50_000,
};

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** `null` when the payload is acceptable, otherwise why not (safe to log: no payload content). */
export function checkPayload(value: unknown, limits: PayloadLimits = DEFAULT_PAYLOAD_LIMITS): string | null {
  let bytes = 0;
  let nodes = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop() as { value: unknown; depth: number };
    nodes += 1;
    if (nodes > limits.maxNodes) return 'too many nodes';
    if (item.depth > limits.maxDepth) return 'nested too deeply';
    const v = item.value;
    switch (typeof v) {
      case 'undefined':
      case 'boolean':
        bytes += 8;
        break;
      case 'number':
        if (!Number.isFinite(v)) return 'non-finite number';
        bytes += 8;
        break;
      case 'string':
        bytes += v.length * 2;
        break;
      case 'object': {
        bytes += 8;
        if (v === null) break;
        const isArray = Array.isArray(v);
        const proto = Object.getPrototypeOf(v) as unknown;
        if (!isArray && proto !== Object.prototype && proto !== null) return 'not a plain object';
        if (isArray && proto !== Array.prototype) return 'not a plain array';
        for (const key of Reflect.ownKeys(v)) {
          if (typeof key === 'symbol') return 'symbol key';
          if (isArray && key === 'length') continue;
          if (FORBIDDEN_KEYS.has(key)) return 'forbidden key';
          const descriptor = Object.getOwnPropertyDescriptor(v, key);
          if (!descriptor || !('value' in descriptor)) return 'accessor property';
          bytes += key.length * 2;
          stack.push({ value: descriptor.value, depth: item.depth + 1 });
        }
        break;
      }
      default:
        return `unsupported ${typeof v}`;
    }
    if (bytes > limits.maxBytes) return 'too large';
  }
  return null;
}
