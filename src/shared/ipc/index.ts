/**
 * The IPC contract between main, preload and renderer (DESIGN.md "Practices"): channel names,
 * zod schemas for every input, output and event payload, the result envelope, and the API
 * object derived from them. Imported by every side; pure (no Electron, no Node, no UI).
 */
export * from './contract';
export * from './create-api';
export * from './envelope';
export * from './schemas';
