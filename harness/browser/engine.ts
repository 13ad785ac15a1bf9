import { HarnessError } from '../errors.js';
import { resolveChromium, type ResolvedBrowser } from './chromium-launch.js';
import { resolveFirefox } from './firefox-launch.js';

/** The browser engines a peer can run on. A Playwright project picks one per peer role. */
export type BrowserEngine = 'chromium' | 'firefox';

/** The browser binary for `engine` (Playwright's own first, then the env var, then the system's). */
export function resolveBrowser(engine: BrowserEngine, env = process.env): ResolvedBrowser {
  return engine === 'firefox' ? resolveFirefox(env) : resolveChromium(env);
}

/**
 * Why `engine` cannot run here, or undefined when it can: the reason a project whose browser is
 * missing prints with its skip (a missing browser never passes a test).
 */
export function browserUnavailable(engine: BrowserEngine, env = process.env): string | undefined {
  try {
    resolveBrowser(engine, env);
    return undefined;
  } catch (e) {
    if (e instanceof HarnessError && e.code === 'ERR_BROWSER_NOT_FOUND') return e.message.replace(/\n\s*/g, ' ');
    throw e;
  }
}
