import { defineConfig } from 'vitest/config';

// The playground (index.html) and the vitest suites. Browser tests start their own Vite server
// on this config and drive headless Chromium through Playwright.
export default defineConfig({
  server: { host: '127.0.0.1' },
  build: { outDir: 'dist/web', target: 'es2022' },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // GPU suites share one SwiftShader device per file; files run in separate forks.
    pool: 'forks',
    maxWorkers: 2,
  },
});
