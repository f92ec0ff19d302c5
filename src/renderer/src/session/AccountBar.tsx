import type { SessionView } from './use-session';

/** Who is signed in, the sign-in / sign-out buttons, and the keychain warning. */
export function AccountBar({ view }: { view: SessionView }) {
  const { session, error, signIn, cancelSignIn, signOut } = view;
  return (
    <div className="account" aria-label="Account">
      {session?.status === 'signed-in' ? (
        <>
          <span className="who">
            Signed in as{' '}
            <strong>
              <bdi>{session.user.name ?? session.user.email ?? session.user.id}</bdi>
            </strong>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </>
      ) : session?.status === 'signing-in' ? (
        <>
          <span className="who">Continue in your browser…</span>
          <button type="button" onClick={cancelSignIn}>
            Cancel
          </button>
        </>
      ) : session ? (
        <button type="button" className="primary" onClick={signIn}>
          Sign in
        </button>
      ) : null}
      {session && !session.keychainAvailable ? (
        <p className="warning" role="alert">
          No system keychain is available: you will have to sign in again next time. Nothing was saved to
          disk.
        </p>
      ) : null}
      {error ? (
        <p className="warning" role="alert">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
