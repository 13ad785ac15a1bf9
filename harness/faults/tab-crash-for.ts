import type { BrowserEngine } from '../browser/engine.js';
import type { Peer } from '../browser/peer.js';
import { crashTab } from './crash-tab.js';
import type { Fault, FaultNeeds } from './fault.js';
import { killTabProcesses } from './kill-tab-processes.js';

/**
 * A tab crash on the peer's own engine: CDP `Page.crash` on Chromium (what the Chromium runs have
 * always used, and it waits for Playwright's `crash` event), SIGKILL of the browser's content
 * processes on Firefox (WebDriver BiDi has no crash command; see kill-tab-processes.ts).
 */
export function tabCrashFor(peer: Peer): Fault {
  return peer.engine === 'chromium' ? crashTab.create({}, { page: peer.page }) : killTabProcesses.create({}, { peer });
}

/**
 * What `tabCrashFor` needs on the peers it will crash, of these engines (for `requireNeeds` before
 * the test starts). Only the crashed peers count: `crashTab.needs.chromiumCdp` would make
 * `requireNeeds`, which checks both engines of the pair, skip chromium→firefox although the
 * Chromium sender is the one crashed, over CDP.
 */
export function tabCrashNeeds(engines: readonly BrowserEngine[]): FaultNeeds {
  return engines.some((e) => e !== 'chromium') ? killTabProcesses.needs : {};
}
