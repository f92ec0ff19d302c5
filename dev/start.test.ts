import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const electronInstalled = existsSync(resolve('node_modules/electron/path.txt'));

describe('npm start', () => {
  it('says plainly that the Electron binary is missing and points to start:browser', (ctx) => {
    if (electronInstalled) {
      ctx.skip('an Electron binary is installed here, so npm start would launch the app');
    }
    const run = spawnSync(
      process.execPath,
      [resolve('node_modules/tsx/dist/cli.mjs'), 'dev/start.ts', '--no-fallback'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status).toBe(1);
    expect(output).toContain('The Electron binary is not installed here');
    expect(output).toContain('npm run start:browser');
    // No stack trace, and no attempt to download the binary.
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toContain('Downloading Electron');
  });

  it('refuses unknown flags with a clear message', () => {
    const run = spawnSync(
      process.execPath,
      [resolve('node_modules/tsx/dist/cli.mjs'), 'dev/start.ts', '--frobnicate'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Unknown option '--frobnicate'");
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
  });
});
