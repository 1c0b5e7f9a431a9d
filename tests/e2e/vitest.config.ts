import { defineConfig } from 'vitest/config';

// One app at a time: each spec drives the real desktop app through tauri-driver.
export default defineConfig({
  test: {
    include: ['specs/**/*.e2e.ts'],
    globalSetup: ['./support/driver.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default', 'json'],
    outputFile: { json: '../../target/e2e/report.json' },
  },
});
