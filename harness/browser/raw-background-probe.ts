import type { RawChromium } from './raw-chromium.js';
import { RawPage, type VisibilityEvent } from './raw-page.js';

/** Ten chained setTimeout(50 ms): ~0.5 s in a visible page; about one wake-up per second hidden. */
export const TIMER_CHAIN = { count: 10, delayMs: 50 } as const;
/** Throttled when the chain takes at least this long (4× its nominal 500 ms; measured hidden: ~9-10 s). */
export const THROTTLED_CHAIN_MS = 2_000;
/** How long a covered page may take to report `hidden`. */
export const HIDE_SETTLE_MS = 3_000;
const HIDE_POLL_MS = 50;

export interface BackgroundMeasurement {
  /** visibilitychange events the page saw, in order, starting with its state before. */
  events: VisibilityEvent[];
  hidden: boolean;
  visibleChainMs: number;
  hiddenChainMs: number;
  throttled: boolean;
}

/** Polls the page until it reports `hidden` or HIDE_SETTLE_MS pass; returns what it reports last. */
export async function waitUntilHidden(page: RawPage): Promise<{ state: string; events: VisibilityEvent[] }> {
  const deadline = Date.now() + HIDE_SETTLE_MS;
  let seen = await page.visibility();
  while (seen.state !== 'hidden' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, HIDE_POLL_MS));
    seen = await page.visibility();
  }
  return seen;
}

/**
 * Can this browser hide a page and throttle its timers at all? Measured on a blank tab of the raw
 * browser, so a scenario can tell "this machine's Chromium does not background pages" (skip, with
 * these figures) from "the page under test was not backgrounded" (fail). It covers the tab with
 * its own two CDP calls, NOT with the `background-tab-raw-cdp` fault: a broken fault must make
 * the scenario fail, not skip. Both tabs are closed before returning.
 */
export async function probeBackgroundThrottling(browser: RawChromium): Promise<BackgroundMeasurement> {
  const { client } = browser;
  const page = await RawPage.open(browser, 'about:blank', { tag: '[probe/raw]' });
  let cover: string | undefined;
  try {
    await page.recordVisibility();
    const visibleChainMs = await page.timerChainMs(TIMER_CHAIN.count, TIMER_CHAIN.delayMs);
    cover = (await client.send('Target.createTarget', { url: 'about:blank', newWindow: false, background: false })).targetId;
    await client.send('Target.activateTarget', { targetId: cover });
    const seen = await waitUntilHidden(page);
    const hiddenChainMs = await page.timerChainMs(TIMER_CHAIN.count, TIMER_CHAIN.delayMs);
    return { events: seen.events, hidden: seen.state === 'hidden', visibleChainMs, hiddenChainMs, throttled: hiddenChainMs >= THROTTLED_CHAIN_MS };
  } finally {
    if (cover !== undefined && !client.closed) await client.send('Target.closeTarget', { targetId: cover }).catch(() => undefined);
    await page.close();
  }
}

export function describeMeasurement(m: BackgroundMeasurement): string {
  return `visibilityState events seen in the page: ${m.events.map((e) => e.state).join(' → ')}; ${TIMER_CHAIN.count}× setTimeout(${TIMER_CHAIN.delayMs} ms) took ${m.visibleChainMs.toFixed(0)} ms in front and ${m.hiddenChainMs.toFixed(0)} ms behind the cover tab`;
}
