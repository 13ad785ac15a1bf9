import type { Peer } from '../browser/peer.js';
import { processGone, tabProcessPids } from '../browser/tab-processes.js';
import { HarnessError } from '../errors.js';
import type { Fault } from './fault.js';
import { registerFault } from './registry.js';

export type KillTabProcessesParams = Record<string, never>;

/** A SIGKILLed process is gone within milliseconds; this is for a machine under heavy load. */
const GONE_TIMEOUT_MS = 10_000;
const GONE_POLL_MS = 50;
/** Closing the dead tab is a browser-side bookkeeping call; past this it is left to teardown. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * A tab crash without a debugging protocol: SIGKILL every web-content process of one peer's
 * browser (found under its browser PID, `tab-processes.ts`), so the page dies the way it does when
 * its renderer crashes, while the browser process, its profile and IndexedDB stay. This is how a
 * Firefox tab crashes here: WebDriver BiDi has no `Page.crash` and refuses `about:crashcontent`.
 * Each peer has one tab, so killing all of them crashes exactly that tab; the dead tab is then
 * closed (see inject). Nothing to heal: the test opens a new tab, and the browser starts a new
 * content process for it.
 */
export const killTabProcesses = registerFault<KillTabProcessesParams, { peer: Peer }>({
  name: 'kill-tab-processes',
  summary: 'crash one peer’s tab by SIGKILLing its browser’s content processes (any engine; found from the browser PID)',
  needs: { linux: true },
  create(params, { peer }): Fault<KillTabProcessesParams> {
    return {
      name: 'kill-tab-processes',
      params,
      async inject() {
        const page = peer.page;
        const browserPid = peer.pid;
        const pids = browserPid === undefined ? [] : tabProcessPids(browserPid);
        if (browserPid === undefined || pids.length === 0) {
          throw new HarnessError('ERR_PROCESS_EXITED', `no tab process found for peer ${peer.name} (browser PID ${browserPid ?? 'unknown'})`, {
            context: { peer: peer.name, engine: peer.engine, browserPid },
            hint: 'The peer must be running with a page open; see harness/browser/tab-processes.ts for how content processes are recognised.',
          });
        }
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // exited on its own meanwhile
          }
        }
        const deadline = Date.now() + GONE_TIMEOUT_MS;
        while (!pids.every(processGone)) {
          if (Date.now() > deadline) {
            throw new HarnessError('ERR_TIMEOUT', `tab processes of ${peer.name} still alive ${GONE_TIMEOUT_MS} ms after SIGKILL`, { context: { pids: pids.filter((p) => !processGone(p)) } });
          }
          await new Promise((r) => setTimeout(r, GONE_POLL_MS));
        }
        // Playwright's BiDi page does not learn that its content process died: a locator call on
        // it would wait for its element for ever (a progress poll did, 160 s, in BRW-3). Closing
        // the dead tab, as a user closes "tab crashed", makes every pending and later call on it
        // fail at once and `isClosed()` true, as a crashed Chromium page's calls do.
        await Promise.race([page.close().catch(() => undefined), new Promise((r) => setTimeout(r, CLOSE_TIMEOUT_MS))]);
      },
      async heal() {
        // A killed tab stays dead; the test opens a new one.
      },
    };
  },
});
