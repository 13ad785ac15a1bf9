import type { Page } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface CpuThrottleParams {
  /** Slowdown factor for the page's main thread (CDP Emulation.setCPUThrottlingRate): 4 = 4× slower. */
  rate: number;
}

/** Starves one peer's page of CPU (CDP); heal sets the rate back to 1. */
export const cpuThrottle = registerFault<CpuThrottleParams, { page: Page }>({
  name: 'cpu-throttle',
  summary: 'slow one page’s main thread down by a factor (CDP Emulation.setCPUThrottlingRate)',
  needs: { chromiumCdp: true },
  create(params, { page }): Fault<CpuThrottleParams> {
    let session: Awaited<ReturnType<ReturnType<Page['context']>['newCDPSession']>> | undefined;
    return {
      name: 'cpu-throttle',
      params,
      async inject() {
        session = await page.context().newCDPSession(page);
        await session.send('Emulation.setCPUThrottlingRate', { rate: params.rate });
      },
      async heal() {
        await session?.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => undefined);
        await session?.detach().catch(() => undefined);
        session = undefined;
      },
    };
  },
});
