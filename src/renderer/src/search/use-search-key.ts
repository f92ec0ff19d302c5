import { useEffect, useState } from 'react';
import type { NewDreamFlowApi, SearchKey } from '../../../shared/ipc';

/**
 * The secured search key main holds for this session: fetched when the person is signed in, then
 * replaced whenever main pushes a new one (renewal before expiry; `null` on sign-out, which also
 * clears it here before anyone else signs in).
 */
export function useSearchKey(
  api: NewDreamFlowApi,
  signedIn: boolean,
): { key: SearchKey | null; error: string | undefined } {
  const [key, setKey] = useState<SearchKey | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => api.search.onKeyChanged((next) => setKey(next)), [api]);

  useEffect(() => {
    if (!signedIn) return undefined;
    let live = true;
    void api.search.getKey().then((result) => {
      if (!live) return;
      if (result.ok) {
        setKey(result.value);
        setError(undefined);
      } else {
        setError(result.error.message);
      }
    });
    return () => {
      live = false;
    };
  }, [api, signedIn]);

  return signedIn ? { key, error } : { key: null, error: undefined };
}
