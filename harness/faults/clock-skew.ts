import type { BrowserContext } from '@playwright/test';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export interface ClockSkewParams {
  /** How far this peer's wall clock is off, in ms (negative = behind). */
  skewMs: number;
}

/**
 * Skews one peer's wall clock (Playwright's clock: Date and timers) by `skewMs`; time keeps
 * flowing. Must be injected before the app's pages load. Healing cannot un-install Playwright's
 * clock, so heal() is a no-op: the skew lasts for the life of the context, as a bad clock does.
 */
export const clockSkew = registerFault<ClockSkewParams, { context: BrowserContext }>({
  name: 'clock-skew',
  summary: 'shift one browser’s wall clock by ±N ms (Playwright clock.install)',
  needs: {},
  create(params, { context }): Fault<ClockSkewParams> {
    return {
      name: 'clock-skew',
      params,
      inject: () => context.clock.install({ time: Date.now() + params.skewMs }),
      async heal() {
        // See above: the skewed clock stays installed until the context closes.
      },
    };
  },
});
