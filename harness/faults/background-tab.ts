import type { CDPSession, Page } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export type BackgroundTabParams = Record<string, never>;

/**
 * Puts one peer's page in the background the way a user does: another tab opened in the same
 * window and brought to the front (CDP Target.createTarget + Target.activateTarget), with the
 * page's focus emulation turned off. Heal closes that tab and brings the page back.
 *
 * It does NOT fake visibility (no script overriding document.hidden): whether the page really is
 * hidden, and its timers throttled, is for the test to observe from inside the page. Measured on
 * Chromium 156: without Playwright attached this hides the page and throttles its timers to one
 * wake-up per second; with Playwright attached the page stays `visible` (Playwright's own CDP
 * session keeps focus emulation on, which Chromium counts as a capturer that keeps it visible).
 */
export const backgroundTab = registerFault<BackgroundTabParams, { page: Page }>({
  name: 'background-tab',
  summary: 'open another tab in front of one peer’s page (same window), focus emulation off; heal closes it',
  needs: { chromiumCdp: true },
  create(params, { page }): Fault<BackgroundTabParams> {
    let session: CDPSession | undefined;
    let cover: string | undefined;
    return {
      name: 'background-tab',
      params,
      async inject() {
        session = await page.context().newCDPSession(page);
        await session.send('Emulation.setFocusEmulationEnabled', { enabled: false });
        const { targetInfo } = await session.send('Target.getTargetInfo');
        const created = await session.send('Target.createTarget', { url: 'about:blank', newWindow: false, background: false, browserContextId: targetInfo.browserContextId });
        cover = created.targetId;
        await session.send('Target.activateTarget', { targetId: cover });
      },
      async heal() {
        if (session && cover) await session.send('Target.closeTarget', { targetId: cover }).catch(() => undefined);
        cover = undefined;
        if (!page.isClosed()) await page.bringToFront().catch(() => undefined);
        await session?.detach().catch(() => undefined);
        session = undefined;
      },
    };
  },
});
