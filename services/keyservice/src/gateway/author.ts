import { LIMITS, httpUrlSchema, profileObjectId, singleLineText, type Author } from '@newdreamflow/domain';
import type { Caller } from '../auth/token-verifier';
import type { RecordStore } from './record-store';

const displayName = singleLineText(LIMITS.displayNameChars);

/**
 * The caller's author block: from their public profile when they have one, else from the token's
 * profile claims (`name`, `preferred_username`, `nickname`), else a neutral placeholder.
 */
export async function authorOf(caller: Caller, store: RecordStore, profilesIndex: string): Promise<Author> {
  const profile = await store.get(profilesIndex, profileObjectId(caller.userId));
  if (profile && profile.user_id === caller.userId) {
    const name = displayName.safeParse(profile.display_name);
    const avatar = httpUrlSchema.nullable().safeParse(profile.avatar_url ?? null);
    if (name.success)
      return {
        user_id: caller.userId,
        display_name: name.data,
        avatar_url: avatar.success ? avatar.data : null,
      };
  }
  for (const claim of ['name', 'preferred_username', 'nickname'] as const) {
    const name = displayName.safeParse(caller.claims[claim]);
    if (name.success) return { user_id: caller.userId, display_name: name.data, avatar_url: null };
  }
  return { user_id: caller.userId, display_name: 'Anonymous writer', avatar_url: null };
}
