import { HarnessError } from '../errors.js';
import { evaluateInSession, type RawCdpClient } from './raw-cdp-client.js';
import type { RawChromium } from './raw-chromium.js';

const CONSOLE_LINES_KEPT = 2_000;
const READY_POLL_MS = 100;
const READY_TIMEOUT_MS = 30_000;

/** A visibilitychange the page itself saw, on its own clock (ms since the page's time origin). */
export interface VisibilityEvent {
  state: string;
  atMs: number;
}

/** Page-side: start recording `visibilitychange` events (idempotent). */
const INSTALL_VISIBILITY_RECORDER = `(() => {
  const w = window;
  if (!w.__harnessVisibility) {
    w.__harnessVisibility = [{ state: document.visibilityState, atMs: performance.now() }];
    document.addEventListener('visibilitychange', () => w.__harnessVisibility.push({ state: document.visibilityState, atMs: performance.now() }));
  }
  return true;
})()`;

/**
 * One tab of a raw Chromium (raw-chromium.ts), driven over a flattened CDP session — nothing of
 * Playwright attached, so Chromium may hide it and throttle its timers like a user's tab. Every
 * observation here is made from inside the page, by the page's own clock and events.
 */
export class RawPage {
  readonly console: string[] = [];

  private constructor(
    readonly client: RawCdpClient,
    readonly targetId: string,
    readonly sessionId: string,
    tag: string,
  ) {
    client.on('Runtime.consoleAPICalled', (e) => this.keep(`${tag} ${e.type}: ${e.args.map((a) => (a.value !== undefined ? String(a.value) : (a.description ?? a.type))).join(' ')}`), sessionId);
    client.on('Runtime.exceptionThrown', (e) => this.keep(`${tag} pageerror: ${e.exceptionDetails.exception?.description ?? e.exceptionDetails.text}`), sessionId);
    client.on('Inspector.targetCrashed', () => this.keep(`${tag} renderer crashed`), sessionId);
  }

  /**
   * Opens `url` in a new tab of `browser`'s window, in front, and resolves once the document is
   * loaded and `ready` (a page-side boolean expression) holds — say what tells the target's own
   * document from the initial about:blank (a page may rewrite its URL, so not an URL match).
   */
  static async open(browser: RawChromium, url: string, opts: { tag: string; ready?: string }): Promise<RawPage> {
    const { client } = browser;
    const { targetId } = await client.send('Target.createTarget', { url, newWindow: false, background: false });
    const { sessionId } = await client.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new RawPage(client, targetId, sessionId, opts.tag);
    await client.send('Runtime.enable', {}, { sessionId });
    await page.waitFor(`document.readyState === 'complete' && (${opts.ready ?? 'true'})`, url);
    return page;
  }

  /** Evaluates `expression` in the page (promises awaited, the value returned by value). */
  evaluate<T>(expression: string, opts: { userGesture?: boolean; timeoutMs?: number } = {}): Promise<T> {
    return evaluateInSession<T>(this.client, this.sessionId, expression, opts);
  }

  async recordVisibility(): Promise<void> {
    await this.evaluate<boolean>(INSTALL_VISIBILITY_RECORDER);
  }

  /** `document.visibilityState` now, and every visibilitychange since `recordVisibility()`. */
  visibility(): Promise<{ state: string; events: VisibilityEvent[] }> {
    return this.evaluate(`({ state: document.visibilityState, events: window.__harnessVisibility ?? [] })`);
  }

  /** How long `count` chained setTimeout(delayMs) take, measured by the page's own clock. */
  timerChainMs(count: number, delayMs: number): Promise<number> {
    return this.evaluate<number>(`new Promise((resolve) => {
      const start = performance.now();
      let n = 0;
      const tick = () => { if (++n === ${count}) resolve(performance.now() - start); else setTimeout(tick, ${delayMs}); };
      setTimeout(tick, ${delayMs});
    })`);
  }

  async close(): Promise<void> {
    if (!this.client.closed) await this.client.send('Target.closeTarget', { targetId: this.targetId }).catch(() => undefined);
  }

  consoleText(): string {
    return this.console.join('\n');
  }

  private async waitFor(condition: string, url: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let lastError: unknown;
    while (Date.now() < deadline) {
      // Evaluating during the navigation can hit the initial about:blank or a destroyed context.
      try {
        if (await this.evaluate<boolean>(condition)) return;
      } catch (err) {
        lastError = err;
      }
      await new Promise((r) => setTimeout(r, READY_POLL_MS));
    }
    throw new HarnessError('ERR_TIMEOUT', `a raw Chromium tab did not load ${url} in ${READY_TIMEOUT_MS} ms`, {
      context: { url, lastError: String(lastError) },
      hint: 'See the raw browser log (attached on failure).',
    });
  }

  private keep(line: string): void {
    this.console.push(`${new Date().toISOString()} ${line}`);
    if (this.console.length > CONSOLE_LINES_KEPT) this.console.shift();
  }
}
