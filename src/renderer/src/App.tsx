import type { ReactNode } from 'react';
import type { NewDreamFlowApi } from '../../shared/ipc';
import { useBridge } from './bridge';
import { JournalSearch } from './search/JournalSearch';
import { useSearchKey } from './search/use-search-key';
import { AccountBar } from './session/AccountBar';
import { useSession } from './session/use-session';

/** The app shell. Features (editor, palette, patterns) mount inside <main> as they land. */
export function App() {
  const bridge = useBridge();
  return (
    <div className="shell">
      {bridge.state === 'missing' ? (
        <>
          <Header />
          <main>
            <section className="card">
              <p className="status" data-state="error" role="status">
                The desktop bridge is not available: open NewDreamFlow from the desktop app (or{' '}
                <code>npm run start:browser</code>), not as a plain web page.
              </p>
            </section>
          </main>
        </>
      ) : bridge.state === 'error' ? (
        <>
          <Header />
          <main>
            <p className="status" data-state="error" role="status">
              {bridge.message}
            </p>
          </main>
        </>
      ) : bridge.state === 'connecting' ? (
        <>
          <Header />
          <main>
            <p className="status" role="status">
              Connecting…
            </p>
          </main>
        </>
      ) : (
        <Connected
          api={bridge.api}
          footer={`${bridge.info.name} ${bridge.info.version} on ${bridge.info.platform}`}
        />
      )}
    </div>
  );
}

function Header({ children }: { children?: ReactNode }) {
  return (
    <header>
      <h1>NewDreamFlow</h1>
      <span className="tagline">dreams, things and the stories between them</span>
      {children}
    </header>
  );
}

function Connected({ api, footer }: { api: NewDreamFlowApi; footer: string }) {
  const view = useSession(api);
  const signedIn = view.session?.status === 'signed-in';
  const { key, error } = useSearchKey(api, signedIn);
  return (
    <>
      <Header>
        <AccountBar view={view} />
      </Header>
      <main>
        {!view.session ? (
          <p className="status" role="status">
            Connecting…
          </p>
        ) : !signedIn ? (
          <section className="card" aria-labelledby="welcome-title">
            <h2 id="welcome-title">Your journal</h2>
            <p>
              Record dreams and things, compose them into stories, and see the patterns between them. Sign in
              to open your journal; your browser will ask who you are.
            </p>
          </section>
        ) : error ? (
          <p className="status" data-state="error" role="status">
            {error}
          </p>
        ) : key ? (
          <JournalSearch api={api} searchKey={key} />
        ) : (
          <p className="status" role="status">
            Opening your journal…
          </p>
        )}
      </main>
      <footer role="contentinfo">{footer}</footer>
    </>
  );
}
