/**
 * `npm start`: the embedded stack (engine, dev IdP, key service) and the desktop app against it.
 *
 *   npm start -- [--data DIR] [--ephemeral] [--no-fallback]
 *
 * Where the Electron binary is missing (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1, or its
 * download failed) it says so, and — unless `--no-fallback` — runs `npm run start:browser`: the
 * same stack and main-process core with the renderer in Chromium. It never ends in a stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { findElectronBinary } from './electron-binary';

const flagsSchema = z.strictObject({
  data: z.string().min(1).optional(),
  ephemeral: z.boolean().default(false),
  'no-fallback': z.boolean().default(false),
});

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function chromiumPath(): string | undefined {
  const path = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  return existsSync(path) ? path : undefined;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { data: { type: 'string' }, ephemeral: { type: 'boolean' }, 'no-fallback': { type: 'boolean' } },
    strict: true,
  });
  const flags = flagsSchema.parse(values);
  const passOn = [...(flags.data ? ['--data', flags.data] : []), ...(flags.ephemeral ? ['--ephemeral'] : [])];

  const electron = findElectronBinary();
  if ('missing' in electron) {
    say(`The Electron binary is not installed here (${electron.missing}).`);
    say('  To run the desktop app, install it on a machine that can download it:');
    say('  `npx install-electron --no` (or remove node_modules/electron and run npm install).');
    if (flags['no-fallback'] || !chromiumPath()) {
      say('  Without it, `npm run start:browser` runs the same stack and app core with the renderer in');
      say('  Chromium (needs /usr/bin/chromium or CHROMIUM_PATH).');
      process.exitCode = 1;
      return;
    }
    say('Starting `npm run start:browser` instead: the same stack and app core, the renderer in Chromium.');
    const child = spawn(
      process.execPath,
      [resolve('node_modules/tsx/dist/cli.mjs'), 'dev/start-browser.ts', ...passOn],
      {
        stdio: 'inherit',
      },
    );
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => child.kill(signal));
    child.once('exit', (code) => {
      process.exitCode = code ?? 0;
    });
    return;
  }

  say('Building the app (electron-vite build)…');
  const build = spawnSync(
    process.execPath,
    [resolve('node_modules/electron-vite/bin/electron-vite.js'), 'build'],
    { stdio: 'inherit' },
  );
  if (build.status !== 0) {
    say('The build failed; see the output above.');
    process.exitCode = 1;
    return;
  }

  // Loaded only here: the services' modules are heavy and print their own start-up notes.
  const { startStackWithLogFile } = await import('./service-log');
  const running = await startStackWithLogFile({ ephemeral: flags.ephemeral, dataDir: flags.data });
  const { stack } = running;
  say(`Service logs: ${running.logPath}`);
  say(
    `Stack ready. Demo accounts: ${stack.info.accounts.map((a) => `${a.username} / ${a.password}`).join(', ')}`,
  );
  const app = spawn(electron.path, ['.'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      OIDC_ISSUER: stack.info.idp,
      OIDC_CLIENT_ID: stack.info.clientId,
      OIDC_SCOPE: stack.info.scope,
      OIDC_AUDIENCE: stack.info.resource,
      KEYSERVICE_URL: stack.info.keyservice,
      ALGOLIA_HOSTS: stack.info.engine,
      INDEX_PREFIX: stack.info.indexPrefix,
    },
  });
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (app.exitCode === null) app.kill('SIGTERM');
    await running.close();
    process.exitCode = code;
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  app.once('exit', (code) => void stop(code ?? 0));
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
