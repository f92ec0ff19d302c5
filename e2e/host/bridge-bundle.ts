import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

let cached: Promise<string> | undefined;

/** The page-side bridge as one IIFE script (createApi + the binding transport), built once. */
export function bridgeScript(): Promise<string> {
  cached ??= build({
    entryPoints: [fileURLToPath(new URL('./bridge-entry.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: false,
    logLevel: 'silent',
  }).then((result) => {
    const output = result.outputFiles[0];
    if (!output) throw new Error('esbuild produced no bridge bundle');
    return output.text;
  });
  return cached;
}
