/**
 * Access control list permissions of Algolia API keys: every value of the `acl` enum of Algolia's
 * OpenAPI spec (api-clients-automation specs/search/paths/keys/common/schemas.yml, the v5
 * client's `Acl` type). Keys may carry ACLs the engine has no endpoint for: they are stored and
 * returned. The admin key implicitly holds them all.
 */
export const ACLS = [
  'addObject',
  'analytics',
  'browse',
  'deleteObject',
  'deleteIndex',
  'editSettings',
  'inference',
  'listIndexes',
  'logs',
  'personalization',
  'recommendation',
  'search',
  'seeUnretrievableAttributes',
  'settings',
  'usage',
  'nluWriteProject',
  'nluReadProject',
  'nluWriteEntity',
  'nluReadEntity',
  'nluWriteIntent',
  'nluReadIntent',
  'nluPrediction',
  'nluReadAnswers',
] as const;

export type Acl = (typeof ACLS)[number];

/** What an operation needs: an ACL, or `admin` for what only the admin key may do (managing keys). */
export type Need = Acl | 'admin';

/**
 * Operations that change data. A secured key attempting one is answered as if the key were
 * unknown, like Algolia does (stored keys and the configured search key get the ACL check).
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
