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
    let cover: string | undefined;
    const setState = async (windowState: 'minimized' | 'normal') => {
      const cdp = await page.context().newCDPSession(page);
      try {
        if (windowState === 'minimized') {
          // A new foreground tab in the same window hides this one, as a user's tab switch does.
          const { targetId } = (await cdp.send('Target.createTarget', { url: 'about:blank', newWindow: false, background: false })) as { targetId: string };
          cover = targetId;
          await cdp.send('Target.activateTarget', { targetId });
        } else if (cover) {
          await cdp.send('Target.closeTarget', { targetId: cover });
          cover = undefined;
        }
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
