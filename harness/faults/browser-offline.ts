import type { BrowserContext } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export type BrowserOfflineParams = Record<string, never>;

/**
 * `context.setOffline(true)`: HTTP and WebSocket (signaling) fail; WebRTC traffic does NOT
 * (Chromium bug 563644) — this fault is about the app's signaling resilience, not the path.
 */
export const browserOffline = registerFault<BrowserOfflineParams, { context: BrowserContext }>({
  name: 'browser-offline',
  summary: 'take one browser offline for HTTP and WebSocket (not WebRTC) with context.setOffline',
  needs: {},
  create(params, { context }): Fault<BrowserOfflineParams> {
    return {
      name: 'browser-offline',
      params,
      inject: () => context.setOffline(true),
      heal: () => context.setOffline(false).catch(() => undefined),
    };
  },
});
