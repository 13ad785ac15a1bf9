import type { Page } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export type BackgroundTabParams = Record<string, never>;

/**
 * Hides a tab the way a user does: its window is minimised (CDP Browser.setWindowBounds; in
 * headless Chromium every Playwright page has its own window, so another tab in front would not
 * hide it). With background throttling left on (PeerLaunchOptions.backgroundThrottling) its timers
 * slow down as in a user's browser.
 */
export const backgroundTab = registerFault<BackgroundTabParams, { page: Page }>({
  name: 'background-tab',
  summary: 'put one tab in the background by bringing another tab to the front',
  needs: { chromiumCdp: true },
  create(params, { page }): Fault<BackgroundTabParams> {
    const setState = async (windowState: 'minimized' | 'normal') => {
      const cdp = await page.context().newCDPSession(page);
      try {
        const { windowId } = (await cdp.send('Browser.getWindowForTarget')) as { windowId: number };
        await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState } });
      } finally {
        await cdp.detach().catch(() => undefined);
      }
    };
    let hidden = false;
    return {
      name: 'background-tab',
      params,
      async inject() {
        hidden = true;
        await setState('minimized');
      },
      async heal() {
        if (!hidden || page.isClosed()) return;
        hidden = false;
        await setState('normal').catch(() => undefined);
      },
    };
  },
});
