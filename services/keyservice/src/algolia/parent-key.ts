import type { Algoliasearch } from 'algoliasearch';
import { algoliaStatus } from './client';

/** Thrown when the configured search-only parent key is unsafe or unusable. */
export class ParentKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParentKeyError';
  }
}

/**
 * Refuses to run with a parent key that could do more than search: secured keys inherit the
 * parent's ACL, so a parent with `browse`, `addObject`… would hand those rights to every user.
 * Looks the key up with the admin client (the keys API needs the admin key).
 */
export async function assertSearchOnlyParentKey(
  admin: Algoliasearch,
  searchKey: string,
  adminKey: string,
): Promise<void> {
  if (searchKey === adminKey)
    throw new ParentKeyError('ALGOLIA_SEARCH_KEY is the admin key; configure a search-only key');
  let acl: readonly string[];
  try {
    ({ acl } = await admin.getApiKey({ key: searchKey }));
  } catch (error) {
    if (algoliaStatus(error) === 404)
      throw new ParentKeyError('ALGOLIA_SEARCH_KEY does not exist in this Algolia application');
    if (algoliaStatus(error) === 403)
      throw new ParentKeyError('ALGOLIA_ADMIN_KEY cannot read API keys (is it the admin key?)');
    throw error;
  }
  const extra = acl.filter((a) => a !== 'search');
  if (!acl.includes('search') || extra.length > 0) {
    throw new ParentKeyError(
      `ALGOLIA_SEARCH_KEY must have exactly the "search" ACL; it has [${acl.join(', ')}]`,
    );
  }
}
