import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

function run(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcessWithoutNullStreams; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  return { child, stdout: () => out, stderr: () => err };
}

/** Resolves with the URL from the ready line, or rejects if the process exits first. */
function ready(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: string): void => {
      buffer += chunk;
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(buffer);
      if (match?.[1]) {
        child.stdout.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before it was ready`)));
  });
}

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('npm run idp (src/main.ts)', () => {
  it('prints one ready line, serves discovery with the audience flag, and exits 0 on SIGTERM', async () => {
    const data = await mkdtemp(join(tmpdir(), 'dev-idp-cli-'));
    dirs.push(data);
    const proc = run(['--port', '0', '--data', data, '--audience', 'http://127.0.0.1:7702']);
    const url = await ready(proc.child);

    const meta = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    expect(meta.issuer).toBe(url);
    expect((await stat(join(data, 'keys.json'))).mode & 0o777).toBe(0o600);

    proc.child.kill('SIGTERM');
    const [code] = (await once(proc.child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(proc.stdout()).toBe(`listening on ${url}\n`);
  });

  it('takes the issuer from OIDC_ISSUER', async () => {
    const proc = run(['--port', '0'], { OIDC_ISSUER: 'https://id.newdreamflow.example' });
    const url = await ready(proc.child);
    const meta = (await (await fetch(`${url}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    expect(meta.issuer).toBe('https://id.newdreamflow.example');
    proc.child.kill('SIGTERM');
    await once(proc.child, 'exit');
  });

  it.each([
    [['--port', 'abc'], /--port must be a whole number/],
    [['--port', '0', '--audience', 'not a url'], /audience/],
    [['--port', '0', '--accounts', '/nonexistent/accounts.json'], /cannot read accounts file/],
    [['--bogus'], /Unknown option/],
  ])('refuses %j with a clear message and exit code 1', async (args, message) => {
    const proc = run(args);
    const [code] = (await once(proc.child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(proc.stderr()).toMatch(message);
    expect(proc.stdout()).toBe('');
  });
});
