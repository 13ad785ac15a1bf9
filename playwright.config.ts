import { defineConfig } from '@playwright/test';
import type { HarnessOptions } from './harness/fixtures.js';

/**
 * Two real browser processes per test, plus coturn and the signaling server, on a 2-core
 * machine: one worker keeps timings honest. Raise --workers on bigger machines.
 */
export default defineConfig<HarnessOptions>({
  testDir: './tests/e2e',
  timeout: 180_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  globalSetup: './harness/global-setup.ts',
  globalTeardown: './harness/global-teardown.ts',
  outputDir: './test-results',
  reporter: [
    ['list'],
    ['html', { outputFolder: 'reports/playwright', open: 'never' }],
    ['json', { outputFile: 'reports/results.json' }],
  ],
  use: {
    headless: true,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: { chunkSizeBytes: 128 * 1024, iceTransportPolicy: 'all' },
    },
  ],
});
