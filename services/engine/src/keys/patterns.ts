/**
 * Index-name and referer patterns of API keys: `*` matches any run of characters (`dev_*`,
 * `*_dev`, `*_products_*`); everything else is literal and case-sensitive.
 */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!name.startsWith(first)) return false;
  let at = first.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i] as string;
    const found = name.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return name.length - last.length >= at && name.endsWith(last);
}

/** Whether any pattern matches; an empty list allows everything. */
export function allowedBy(patterns: readonly string[], name: string): boolean {
  return patterns.length === 0 || patterns.some((p) => matchesPattern(p, name));
}
