import type { RawCdpClient } from '../browser/raw-cdp-client.js';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export type BackgroundTabRawCdpParams = Record<string, never>;

/** The page to put in the background: a tab of a raw Chromium (browser/raw-chromium.ts). */
export interface BackgroundTabRawCdpContext {
  client: RawCdpClient;
  targetId: string;
}

/**
 * Puts a page of a raw Chromium (launched by the harness with no Playwright attached and without
 * the flags that stop background throttling) in the background the way a user does: another tab
 * opened in the same window and brought to the front (Target.createTarget + Target.activateTarget
 * on the browser's own CDP connection). Heal closes that tab and brings the page back.
 *
 * Like `background-tab`, it fakes nothing: whether the page is hidden, and its timers throttled,
 * is for the test to observe from inside the page. Measured on Chromium 156 (Debian, headless
 * new): the page sees `visibilitychange` → `hidden` at once, and its timers wake about once a
 * second (10 chained 50 ms timeouts take ~9-10 s instead of ~0.5 s).
 */
export const backgroundTabRawCdp = registerFault<BackgroundTabRawCdpParams, BackgroundTabRawCdpContext>({
  name: 'background-tab-raw-cdp',
  summary: 'open another tab in front of a raw-CDP Chromium page (same window, no Playwright attached); heal closes it',
  needs: { chromiumCdp: true },
  create(params, { client, targetId }): Fault<BackgroundTabRawCdpParams> {
    let cover: string | undefined;
    return {
      name: 'background-tab-raw-cdp',
      params,
      async inject() {
        const created = await client.send('Target.createTarget', { url: 'about:blank', newWindow: false, background: false });
        cover = created.targetId;
        await client.send('Target.activateTarget', { targetId: cover });
      },
      async heal() {
        const was = cover;
        cover = undefined;
        // The browser may be gone already (teardown after a failure): nothing left to put back.
        if (was === undefined || client.closed) return;
        await client.send('Target.closeTarget', { targetId: was }).catch(() => undefined);
        await client.send('Target.activateTarget', { targetId }).catch(() => undefined);
      },
    };
  },
});
