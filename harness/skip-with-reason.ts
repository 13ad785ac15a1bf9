import type { TestInfo } from '@playwright/test';

/**
 * Skips the running test when `reason` is set, and prints the reason: a scenario that cannot run
 * here is reported as skipped with why (in the list output and the scorecard), never as passed.
 */
export function skipWithReason(testInfo: TestInfo, reason: string | undefined): void {
  if (reason === undefined) return;
  console.warn(`skipped: ${reason}`);
  testInfo.skip(true, reason);
}
