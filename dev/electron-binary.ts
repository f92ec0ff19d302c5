import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The Electron binary's path, or why there is none. Resolved the way the `electron` package does
 * it (`path.txt` + `dist/`, or ELECTRON_OVERRIDE_DIST_PATH) but without requiring the package:
 * from v45 on, requiring it starts a download when the binary is missing, which fails offline
 * with a stack trace.
 */
export function findElectronBinary(): { path: string } | { missing: string } {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { missing: 'the electron package is not installed' };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!existsSync(pathFile))
    return { missing: 'the electron package is installed but its binary was never downloaded' };
  const executable = readFileSync(pathFile, 'utf8').trim();
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const path = override ? join(override, executable || 'electron') : join(packageDir, 'dist', executable);
  return existsSync(path) ? { path } : { missing: `the Electron binary is not at ${path}` };
}
