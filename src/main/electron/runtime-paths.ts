import { fileURLToPath } from 'node:url';

/**
 * Where the built pieces live relative to out/main/index.js (electron-vite's layout, also
 * inside the asar): the sandboxed preload bundle and the renderer folder.
 */
export function runtimePaths(mainModuleUrl: string): { preload: string; rendererDir: string } {
  return {
    preload: fileURLToPath(new URL('../preload/index.cjs', mainModuleUrl)),
    rendererDir: fileURLToPath(new URL('../renderer/', mainModuleUrl)),
  };
}
