import { defineConfig } from 'vitest/config';

// One runner for unit and integration tests across the workspace. Node is the default
// environment; renderer units opt into jsdom with a `// @vitest-environment jsdom` comment.
export default defineConfig({
  test: {
    include: ['**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', 'out/**', 'e2e/**', '.tsbuild/**'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
