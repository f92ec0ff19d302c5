import { useBridge } from './bridge';

/** The app shell. Features (search, editor, palette) mount inside <main> as they land. */
export function App() {
  const bridge = useBridge();
  return (
    <div className="shell">
      <header>
        <h1>NewDreamFlow</h1>
        <span className="tagline">dreams, things and the stories between them</span>
      </header>
      <main>
        <section className="card" aria-labelledby="welcome-title">
          <h2 id="welcome-title">Your journal</h2>
          {bridge.state === 'missing' ? (
            <p className="status" data-state="error" role="status">
              The desktop bridge is not available: open NewDreamFlow from the desktop app (or{' '}
              <code>npm run start:browser</code>), not as a plain web page.
            </p>
          ) : bridge.state === 'ready' ? (
            <p className="status" role="status">
              {bridge.info.name} {bridge.info.version} on {bridge.info.platform}
            </p>
          ) : bridge.state === 'error' ? (
            <p className="status" data-state="error" role="status">
              {bridge.message}
            </p>
          ) : (
            <p className="status" role="status">
              Connecting…
            </p>
          )}
        </section>
      </main>
      <footer>Everything you write stays on this device until it syncs.</footer>
    </div>
  );
}
