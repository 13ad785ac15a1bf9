import type { BrowserContext } from '@playwright/test';

/** The page-side name of the binding console lines travel through. */
export const CONSOLE_BINDING = '__harnessConsole';

const LEVELS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Captures each page's console as TEXT, without Playwright's `console` event.
 *
 * Why not `page.on('console')`: subscribing makes Playwright's server wrap every console argument
 * in a JSHandle dispatcher and send the event to the client, whose `Connection.dispatch`
 * (playwright-core/lib/coreBundle.js, `_tChannelImplFromWire`) looks every argument's guid up and
 * THROWS "Object with guid handle@… was not bound in the connection" when the handle is not (or
 * no longer) known on the client. That happens while a page or browser dies (BRW-2 on a killed
 * Firefox, BRW-4 on a crashed Chromium tab). The in-process transport delivers events from a
 * `setImmediate` (`createInProcessPlaywright`), so the throw is an uncaught exception outside any
 * call: Playwright's worker (`unhandledError` in playwright/lib/worker/workerProcessEntry.js)
 * fails the test AND interrupts it, and the abandoned test body keeps running while the fixtures
 * tear the peers down under it. No console event, no handles, no race: the page formats its own
 * arguments into strings and hands them over a binding call, whose arguments are plain values.
 *
 * What this does not see: console output of workers and messages the browser itself logs (the
 * app logs nothing of its own; `pageerror` is still captured by the peer).
 */
export async function captureConsole(ctx: BrowserContext, keep: (line: string) => void): Promise<void> {
  await ctx.exposeBinding(CONSOLE_BINDING, (_source, level: unknown, text: unknown) => keep(`${String(level)}: ${String(text)}`));
  await ctx.addInitScript({ content: `(${installConsoleForwarder.toString()})(${JSON.stringify(CONSOLE_BINDING)}, ${JSON.stringify(LEVELS)});` });
}

/** Runs in the page, before its own scripts: wraps the console methods, keeping their behaviour. */
function installConsoleForwarder(binding: string, levels: readonly string[]): void {
  const g = globalThis as unknown as Record<string, unknown> & { console: Record<string, (...a: unknown[]) => void> };
  const format = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return `${v.name}: ${v.message}`;
    try {
      return JSON.stringify(v) ?? String(v);
    } catch {
      return String(v); // cyclic or exotic: its String() form is still better than nothing
    }
  };
  for (const level of levels) {
    const original = g.console[level];
    if (typeof original !== 'function') continue;
    g.console[level] = (...args: unknown[]) => {
      const send = g[binding];
      // The binding is installed by Playwright alongside init scripts; a line logged before it
      // exists, or while the page is being torn down, is lost rather than breaking the page.
      if (typeof send === 'function') (send as (l: string, t: string) => Promise<unknown>)(level, args.map(format).join(' ')).catch(() => undefined);
      original.apply(g.console, args);
    };
  }
}
