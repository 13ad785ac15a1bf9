import type { Page } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export type CrashTabParams = Record<string, never>;

/**
 * Crashes the page's renderer through CDP `Page.crash` (`Target.crash` does not exist in this
 * Chromium). Nothing to heal: recovering is the app's job once a new tab opens.
 */
export const crashTab = registerFault<CrashTabParams, { page: Page }>({
  name: 'crash-tab',
  summary: 'crash one tab’s renderer process (CDP Page.crash)',
  needs: { chromiumCdp: true },
  create(params, { page }): Fault<CrashTabParams> {
    return {
      name: 'crash-tab',
      params,
      async inject() {
        const cdp = await page.context().newCDPSession(page);
        const crashed = page.waitForEvent('crash', { timeout: 10_000 });
        // Page.crash never answers: the renderer it would answer from is gone.
        void cdp.send('Page.crash').catch(() => undefined);
        await crashed;
      },
      async heal() {
        // A crashed renderer stays crashed; the test opens a new tab.
      },
    };
  },
});
