import { useCallback, useEffect, useState } from 'react';
import type { IpcError, NewDreamFlowApi, SessionState } from '../../../shared/ipc';

/** The session as the renderer knows it, plus the last failed action's error. */
export interface SessionView {
  session: SessionState | undefined;
  error: IpcError | undefined;
  signIn: () => void;
  cancelSignIn: () => void;
  signOut: () => void;
}

/** Follows main's session (`auth:getSession`, then `session:changed`) and wraps the auth calls. */
export function useSession(api: NewDreamFlowApi): SessionView {
  const [session, setSession] = useState<SessionState | undefined>(undefined);
  const [error, setError] = useState<IpcError | undefined>(undefined);

  useEffect(() => {
    let live = true;
    const stop = api.session.onChanged((next) => {
      if (live) setSession(next);
    });
    void api.auth.getSession().then((result) => {
      if (!live) return;
      if (result.ok) setSession(result.value);
      else setError(result.error);
    });
    return () => {
      live = false;
      stop();
    };
  }, [api]);

  const run = useCallback(
    (call: () => Promise<{ ok: true; value: SessionState | null } | { ok: false; error: IpcError }>) => {
      setError(undefined);
      void call().then((result) => {
        if (!result.ok) {
          if (result.error.code !== 'sign-in-cancelled') setError(result.error);
        } else if (result.value) {
          setSession(result.value);
        }
      });
    },
    [],
  );

  return {
    session,
    error,
    signIn: useCallback(() => run(() => api.auth.signIn()), [api, run]),
    cancelSignIn: useCallback(() => run(() => api.auth.cancelSignIn()), [api, run]),
    signOut: useCallback(() => run(() => api.auth.signOut()), [api, run]),
  };
}
