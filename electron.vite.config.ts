import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const root = dirname(fileURLToPath(import.meta.url));
const here = (path: string) => resolve(root, path);

// Workspace packages are TypeScript sources, not built artefacts: bundle them into main.
const bundledWorkspaces = ['@newdreamflow/domain'];

export default defineConfig({
  main: {
    build: {
      externalizeDeps: { exclude: bundledWorkspaces },
      rolldownOptions: { input: { index: here('src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can only require('electron'): one self-contained CommonJS file.
      externalizeDeps: false,
      isolatedEntries: true,
      rolldownOptions: {
        input: { index: here('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: here('src/renderer'),
    plugins: [react()],
    build: {
      rolldownOptions: { input: { index: here('src/renderer/index.html') } },
    },
  },
});
