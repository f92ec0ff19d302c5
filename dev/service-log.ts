import { createWriteStream, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '@newdreamflow/keyservice';
import { startStack, type RunningStack } from './stack';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The embedded services' JSON logs go to a file, not the terminal a person is reading: in the
 * data folder (`<data>/logs/services.log`), or a temporary file for an ephemeral stack.
 */
export function fileServiceLogger(options: { dataDir?: string; ephemeral?: boolean }): {
  logger: Logger;
  path: string;
  close: () => Promise<void>;
} {
  const path = options.ephemeral
    ? join(tmpdir(), `newdreamflow-services-${process.pid}.log`)
    : join(resolve(options.dataDir ?? join(REPO_ROOT, '.data')), 'logs', 'services.log');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  return {
    logger: createLogger((line) => stream.write(`${line}\n`), { service: 'stack' }),
    path,
    close: () => new Promise((done) => stream.end(() => done())),
  };
}

/**
 * The embedded stack as `npm start` and `start:browser` run it for a person: services logging to
 * a file (whose path is printed), one `close` for both.
 */
export async function startStackWithLogFile(options: {
  ephemeral: boolean;
  dataDir?: string | undefined;
}): Promise<{
  stack: RunningStack;
  logPath: string;
  close: () => Promise<void>;
}> {
  const serviceLog = fileServiceLogger({
    ephemeral: options.ephemeral,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const stack = await startStack({
    ...(options.ephemeral ? { ephemeral: true } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    logger: serviceLog.logger,
  });
  return {
    stack,
    logPath: serviceLog.path,
    close: async () => {
      await stack.close();
      await serviceLog.close();
    },
  };
}
