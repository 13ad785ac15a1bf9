import { defineConfig } from '@playwright/test';
import type { HarnessOptions, HarnessWorkerOptions } from '../../harness/fixtures.js';
import { bundledApp } from '../../tests/support/bundled-app/bundled-app.js';

/**
 * `npm run bench:recovery`: the recovery strategies side by side (recovery.bench.ts), with the
 * e2e harness's fixtures (coturn, signaling, fault proxy, network namespaces). Not part of
 * `npm test`: it measures, it does not gate. summarise.ts prints the table afterwards.
 */
export default defineConfig<HarnessOptions, HarnessWorkerOptions>({
  testDir: '.',
  testMatch: '*.bench.ts',
  timeout: 240_000,
  workers: 1,
  retries: 0,
  globalSetup: '../../harness/global-setup.ts',
  globalTeardown: '../../harness/global-teardown.ts',
  outputDir: '../../test-results/bench-recovery',
  reporter: [['list']],
  use: { headless: true, trace: 'off', appUnderTest: bundledApp, chunkSizeBytes: 128 * 1024 },
});
