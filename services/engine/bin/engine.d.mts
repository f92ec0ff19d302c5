/** Builds `dist/main.mjs` when missing or older than a source file; returns its path. */
export function bundleEngine(): Promise<string>;
