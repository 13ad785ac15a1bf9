import type { Page } from '@playwright/test';
import { expect, test } from '../../harness/fixtures.js';
import { backgroundTab } from '../../harness/faults/background-tab.js';
import { expectIntact, startTransfer, waitForVerified } from '../../harness/scenario/transfer-session.js';
import { skipWithReason } from '../../harness/skip-with-reason.js';

const FILE_BYTES = 24 * 1024 * 1024;
/** Ten chained setTimeout(50 ms) take ~0.5 s in a visible page; a background page gets about one wake-up per second. */
const TIMER_CHAIN = { count: 10, delayMs: 50 };
/** Throttled when the chain takes at least this long (4× its nominal 500 ms; measured hidden: ~10 s). */
const THROTTLED_CHAIN_MS = 2_000;
const HIDE_SETTLE_MS = 3_000;

/** How long the page's own timers take, measured inside the page. */
function timerChainMs(page: Page): Promise<number> {
  return page.evaluate(
    ({ count, delayMs }) =>
      new Promise<number>((resolve) => {
        const start = performance.now();
        let n = 0;
        const tick = (): void => {
          if (++n === count) resolve(performance.now() - start);
          else setTimeout(tick, delayMs);
        };
        setTimeout(tick, delayMs);
      }),
    TIMER_CHAIN,
  );
}

test('TIME-2: receiver tab in the background (hidden, timers throttled) → the transfer continues and completes intact', async ({ peers, app, makeFile, workDir, chaos, requireNeeds }, testInfo) => {
  requireNeeds(backgroundTab.needs);
  const s = await startTransfer({ peers, app, source: await makeFile(FILE_BYTES) });
  const page = s.receiver.page;
  await waitForVerified(app, s.receiver, 1);
  // Recorded from inside the page: the visibilitychange events the browser itself fires.
  await page.evaluate(() => {
    const w = window as unknown as { __visibility: string[] };
    w.__visibility = [document.visibilityState];
    document.addEventListener('visibilitychange', () => w.__visibility.push(document.visibilityState));
  });
  const visibleChainMs = await timerChainMs(page);

  const hidden = await chaos.inject(backgroundTab.create({}, { page }));
  await page.waitForTimeout(HIDE_SETTLE_MS);
  const seen = await page.evaluate(() => (window as unknown as { __visibility: string[] }).__visibility);
  const hiddenChainMs = await timerChainMs(page);
  const measured = `visibilityState events seen in the page: ${seen.join(' → ')}; ${TIMER_CHAIN.count}× setTimeout(${TIMER_CHAIN.delayMs} ms) took ${visibleChainMs.toFixed(0)} ms before and ${hiddenChainMs.toFixed(0)} ms after`;
  testInfo.annotations.push({ type: 'background', description: measured });

  const reallyHidden = seen.includes('hidden');
  const throttled = hiddenChainMs >= THROTTLED_CHAIN_MS;
  if (!reallyHidden || !throttled) {
    // Not faked: if the browser does not hide the page for real, the row cannot run here.
    const reason =
      `TIME-2 cannot run under Playwright here: a tab brought in front of the receiver (same window, focus emulation off on our CDP session) left it ${reallyHidden ? 'hidden but not throttled' : 'visible'} (${measured}). ` +
      'Playwright keeps every page it drives visible (its own CDP session holds focus emulation, which Chromium treats as a capturer) and launches Chromium with --disable-background-timer-throttling; ' +
      'the same steps over raw CDP without Playwright hide the page and throttle its timers to ~1 wake-up/s (see README, TIME-2).';
    skipWithReason(test.info(), reason);
    return;
  }

  // The whole rest of the file arrives while the page stays in the background.
  await app.waitForComplete(page, 180_000);
  expect(await page.evaluate(() => document.visibilityState), 'still hidden when the transfer completed').toBe('hidden');
  await s.recorder.stop();
  await chaos.heal(hidden);
  await expectIntact(app, s, workDir);
});
