import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Unit tests start real servers (ws, coturn) on free ports; keep them in one process per file.
    pool: 'forks',
    // The JSON report feeds the resilience scorecard: SIG-4, SIG-5, SEC-2… are vitest suites.
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
