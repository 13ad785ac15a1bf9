import type { Page } from '@playwright/test';
import type { Fault, FaultEvidence } from './fault.js';
import { registerFault } from './registry.js';

export type CrashTabParams = Record<string, never>;

/**
 * How long the `crash` event may take to reach us. A page that floods the console queues its
 * messages ahead of the event on the same pipe: on a loaded 2-core machine a 2,000-lines-a-second
 * storm kept it out for more than 10 s (tests/unit/peer-crash-races.test.ts).
 */
const CRASH_EVENT_TIMEOUT_MS = 45_000;

/**
 * Crashes the page's renderer through CDP `Page.crash` (`Target.crash` does not exist in this
 * Chromium). Nothing to heal: recovering is the app's job once a new tab opens.
 */
export const crashTab = registerFault<CrashTabParams, { page: Page }>({
  name: 'crash-tab',
  summary: 'crash one tab’s renderer process (CDP Page.crash)',
  needs: { chromiumCdp: true },
  create(params, { page }): Fault<CrashTabParams> {
    let proof: FaultEvidence | undefined;
    return {
      name: 'crash-tab',
      params,
      evidence: () => proof,
      async inject() {
        const startedAt = Date.now();
        const cdp = await page.context().newCDPSession(page);
        const crashed = page.waitForEvent('crash', { timeout: CRASH_EVENT_TIMEOUT_MS });
        // Page.crash never answers: the renderer it would answer from is gone.
        void cdp.send('Page.crash').catch(() => undefined);
        await crashed;
        // inject() only returns once Playwright saw the renderer die: that event is the proof.
        proof = { acted: true, facts: { crashEventAfterMs: Date.now() - startedAt }, summary: `renderer crashed; Playwright's crash event ${Date.now() - startedAt} ms after Page.crash` };
      },
      async heal() {
        // A crashed renderer stays crashed; the test opens a new tab.
      },
    };
  },
});
