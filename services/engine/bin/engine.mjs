#!/usr/bin/env node
/**
 * `npm run engine`: runs the engine as one bundled ES module (`dist/main.mjs`), rebuilt with
 * esbuild whenever a source file is newer than it. Starting from plain JavaScript takes ~0.1 s
 * where transpiling the TypeScript on load (tsx) takes ~0.5 s, and that is part of every
 * restart. The bulk-import tokenizer's worker is bundled beside it (`dist/tokenize-worker.mjs`).
 * Tests and the embedded stack import the TypeScript sources directly.
 */
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outfile = join(root, 'dist', 'main.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleMtime() {
  try {
    return statSync(outfile).mtimeMs;
  } catch {
    return -1;
  }
}

/** Builds `dist/main.mjs` when missing or older than a source file; returns its path. */
export async function bundleEngine() {
  if (bundleMtime() >= newestSource(join(root, 'src'))) return outfile;
  const { build } = await import('esbuild');
  const dist = dirname(outfile);
  mkdirSync(dist, { recursive: true });
  // Built into a private folder and moved in (the worker before the entry that loads it): two
  // engines starting at once never run a half-written file.
  const tmp = mkdtempSync(join(dist, '.build-'));
  try {
    await build({
      entryPoints: {
        main: join(root, 'src', 'main.ts'),
        'tokenize-worker': join(root, 'src', 'indexing', 'tokenize-worker.ts'),
      },
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'warning',
      // Bundled CommonJS dependencies may call require().
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
    renameSync(join(tmp, 'tokenize-worker.mjs'), join(dist, 'tokenize-worker.mjs'));
    renameSync(join(tmp, 'main.mjs'), outfile);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return outfile;
}

// Run as a program (argv[1] may name it through a symlink; import.meta.url is the real path).
if (process.argv[1] && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1])) {
  await import(pathToFileURL(await bundleEngine()).href);
}
