/**
 * Access control list permissions of Algolia API keys (the ones the local engine knows about;
 * the admin key implicitly holds them all).
 */
export const ACLS = [
  'search',
  'browse',
  'addObject',
  'deleteObject',
  'deleteIndex',
  'settings',
  'editSettings',
  'listIndexes',
  'logs',
  'analytics',
  'recommendation',
  'usage',
  'seeUnretrievableAttributes',
] as const;

export type Acl = (typeof ACLS)[number];

/** What an operation needs: an ACL, or `admin` for what only the admin key may do (managing keys). */
export type Need = Acl | 'admin';

/**
 * Operations that change data. A secured key (or the configured search-only key) attempting one
 * is answered as if the key were unknown, like Algolia does.
 */
export const WRITE_ACLS: ReadonlySet<Need> = new Set<Need>([
  'addObject',
  'deleteObject',
  'deleteIndex',
  'editSettings',
  'admin',
]);

/** Whether `value` is a known ACL name. */
export function isAcl(value: string): value is Acl {
  return (ACLS as readonly string[]).includes(value);
}
